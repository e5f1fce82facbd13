"""Window and concurrency counters on the local cache and on real Redis; fail-open on outage."""

import logging
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from accounts import limits


def redis_cache(uri: str, prefix: str) -> dict:
    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": uri,
            "KEY_PREFIX": prefix,
        }
    }


@pytest.fixture(params=["locmem", "redis"])
def cache_backend(request, settings):
    """Each test runs on the embedded cache and on real Redis (django-redis)."""
    if request.param == "redis":
        uri = request.getfixturevalue("redis_uri")
        settings.CACHES = redis_cache(uri, request.getfixturevalue("redis_prefix"))
    else:
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": request.node.name,
            }
        }
    return request.param


def test_window_allows_the_limit_then_refuses_until_it_resets(cache_backend):
    window = 1.0
    # Start just after a window boundary so the whole test fits in one window.
    time.sleep(window - time.time() % window + 0.01)
    verdicts = [limits.hit_window("messages:ip", "203.0.113.5", 3, window) for _ in range(4)]
    assert [v.allowed for v in verdicts] == [True, True, True, False]
    assert [v.count for v in verdicts] == [1, 2, 3, 4]
    assert verdicts[-1].retry_at > time.time()
    assert limits.hit_window("messages:ip", "198.51.100.1", 3, window).allowed  # another subject
    time.sleep(verdicts[-1].retry_at - time.time() + 0.01)
    assert limits.hit_window("messages:ip", "203.0.113.5", 3, window).count == 1


def test_window_counts_are_atomic_under_contention(cache_backend):
    with ThreadPoolExecutor(8) as pool:
        verdicts = list(
            pool.map(lambda _: limits.hit_window("messages:user", "7", 50, 60), range(80))
        )
    assert sorted(v.count for v in verdicts) == list(range(1, 81))
    assert sum(v.allowed for v in verdicts) == 50


def test_concurrent_slots_are_taken_and_released(cache_backend):
    assert limits.take_slot(42, 2) and limits.take_slot(42, 2)
    assert not limits.take_slot(42, 2)
    assert limits.slots_in_use(42) == 2  # the refused attempt gave its slot back
    limits.release_slot(42)
    assert limits.take_slot(42, 2)
    for _ in range(4):
        limits.release_slot(42)  # extra releases never go below zero
    assert limits.slots_in_use(42) == 0


def test_redis_outage_fails_open_with_a_warning(settings, caplog):
    settings.CACHES = redis_cache("redis://127.0.0.1:9/0", "down")  # nothing listens on port 9
    with caplog.at_level(logging.WARNING, logger="accounts.limits"):
        assert limits.hit_window("messages:ip", "203.0.113.5", 1, 60).allowed
        assert limits.take_slot(1, 1) and limits.take_slot(1, 1)
        limits.release_slot(1)
    assert "cache unavailable" in caplog.text
