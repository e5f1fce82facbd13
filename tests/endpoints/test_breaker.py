"""endpoints.breaker: seed 004's ENABLE_METRIC / METRIC_QUEUE_SIZE /
METRIC_SUCCESS_RATE_THRESHOLD semantics, a cooldown, and state shared through the cache."""

from __future__ import annotations

import uuid

from django.core.cache import caches

from endpoints.breaker import Breaker, Policy, State, after, channel_id
from endpoints.endpoint import Channel

POLICY = Policy(enabled=True, queue_size=4, threshold=0.75, cooldown=60)


def outcomes(*oks: bool, state: State | None = None, now: float = 0.0) -> State:
    state = state or State()
    for ok in oks:
        state = after(state, ok, POLICY, now)
    return state


def test_nothing_is_benched_before_the_queue_is_full() -> None:
    assert outcomes(False, False, False) == State("000")


def test_a_full_queue_under_the_threshold_benches_for_the_cooldown() -> None:
    assert outcomes(True, True, True, False) == State("1110")  # 0.75: not under it
    assert outcomes(True, True, True, False, False, now=5) == State("", 65)


def test_the_queue_keeps_the_latest_outcomes_only() -> None:
    assert outcomes(False, True, True, True, True) == State("1111")


def test_a_probe_brings_it_back_or_benches_it_again() -> None:
    benched = State("", 65)
    assert benched.status(10) == "benched" and benched.status(65) == "probing"
    assert after(benched, True, POLICY, 70) == State("1")
    assert after(benched, False, POLICY, 70) == State("", 130)


def test_described_for_check_config_and_the_admin() -> None:
    assert State("1101").describe(0, POLICY) == "ok 3/4"
    assert State("", 65).describe(5, POLICY) == "benched 60 s"
    assert State("", 65).describe(70, POLICY) == "probing"
    assert State("1101").describe(0, Policy()) == "ok"  # ENABLE_METRIC off


def test_metric_off_records_nothing_and_never_benches() -> None:
    breaker = Breaker(Policy(enabled=False, queue_size=1))
    cid = uuid.uuid4().hex
    for _ in range(3):
        breaker.record(cid, ok=False)
    assert breaker.state(cid) == State()


def test_every_process_sees_one_state_through_the_shared_cache(redis_uri, settings) -> None:
    settings.CACHES = {
        "default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": redis_uri},
        "other": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": redis_uri},
    }
    one, two = (
        Breaker(Policy(enabled=True, queue_size=1, threshold=1.0), caches[n])
        for n in ("default", "other")
    )
    cid = channel_id(f"e-{uuid.uuid4().hex}", Channel("key 1", "sk-secret", "https://a.example"))
    assert "sk-secret" not in cid
    one.record(cid, ok=False)
    assert two.state(cid).status(two.clock()) == "benched"
    two.record(cid, ok=True)  # the scheduled check's success, say
    assert one.state(cid) == State("1")
