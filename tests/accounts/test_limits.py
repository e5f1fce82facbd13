"""Window and concurrency counters on the local cache and on real Redis; fail-open on outage;
the limits shared by two real web processes."""

import logging
import os
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings

from accounts import limits
from tests.conftest import require_service
from tests.webprocess import WebProcess


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


# --- across two web processes on real Redis -------------------------------------


YAML = """
version: 1.3.14
endpoints:
  custom:
    - name: Mock
      apiKey: sk-mock
      baseURL: {url}
      models: {{default: [mock-small]}}
"""
SEND = {
    "type": "send",
    "conversation_id": None,
    "parent_id": None,
    "endpoint": "Mock",
    "model": "mock-small",
    "params": {},
}


CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/128.0 Safari/537.36"
WINDOW_MINUTES = 0.1  # six seconds
CLIENT = "http://parley.test:3080"  # DOMAIN_CLIENT of the web processes


@pytest.fixture(scope="module")
def web_pair(shared_database_url, tmp_path_factory, _mock_provider_server):
    """Two web processes sharing the test database, Redis and one key prefix."""
    uri = os.environ.get("REDIS_URI")
    if not uri:
        require_service("Redis", "REDIS_URI is not set")
    folder = tmp_path_factory.mktemp("web")
    (folder / "librechat.yaml").write_text(YAML.format(url=_mock_provider_server.openai_url))
    keep = ("PATH", "HOME", "LANG", "TIKTOKEN_CACHE_DIR")
    env = (
        {k: v for k, v in os.environ.items() if k in keep}
        | {
            "DATABASE_URL": shared_database_url,
            "SECRET_KEY": settings.SECRET_KEY,  # the sessions this process signs in
            "CREDS_KEY": settings.CREDS_KEY,
            "CREDS_IV": settings.CREDS_IV,
            "REDIS_URI": uri,
            "REDIS_KEY_PREFIX": f"parley-test-{uuid.uuid4().hex[:8]}",
            "PARLEY_DATA_DIR": str(folder),
            "CONFIG_PATH": str(folder / "librechat.yaml"),
            "DEBUG_LOGGING": "false",
            "DOMAIN_CLIENT": CLIENT,  # the Origin the sockets are opened from
            "LIMIT_MESSAGE_IP": "true",
            "MESSAGE_IP_MAX": "4",
            "MESSAGE_IP_WINDOW": str(WINDOW_MINUTES),
            "LIMIT_MESSAGE_USER": "true",
            "MESSAGE_USER_MAX": "2",
            "MESSAGE_USER_WINDOW": str(WINDOW_MINUTES),
            "LIMIT_CONCURRENT_MESSAGES": "true",
            "CONCURRENT_MESSAGE_MAX": "1",
            "METRICS_TOKEN": METRICS_TOKEN,
        }
    )
    with ThreadPoolExecutor(2) as pool:
        servers = list(pool.map(lambda _: WebProcess(env), range(2)))
    yield servers
    for server in servers:
        server.stop()


def signed_in_cookie(user) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


def ask(server: WebProcess, cookie: str, text: str) -> dict:
    """Send one message on a fresh socket; the `final` or `error` frame that ends it."""
    import json

    from websockets.sync.client import connect

    with connect(
        f"ws://127.0.0.1:{server.port}/ws/chat/",
        origin=CLIENT,
        additional_headers={"Cookie": cookie},
        user_agent_header=CHROME,
        open_timeout=10,
    ) as socket:
        socket.send(json.dumps(SEND | {"text": text}))
        while True:
            frame = json.loads(socket.recv(timeout=20))
            if frame["type"] in ("final", "error"):
                return frame


@pytest.fixture
def warm(web_pair, django_user_model):
    """One answer from each process first, so a cold start cannot stretch a window; after
    the test, both processes idle before the test database is emptied."""
    somebody = django_user_model.objects.create_user(email="warm@example.com", password="pw-w-1")
    cookie = signed_in_cookie(somebody)
    for server in web_pair:
        ask(server, cookie, "echo: warm")
    yield web_pair
    for server in web_pair:
        wait_idle(server)


METRICS_TOKEN = "test-metrics-token"


def wait_idle(server: WebProcess, patience: float = 15) -> None:
    """Until `server` runs no generation and no database unit (its /metrics): the `final`
    frame goes out before the answer is billed, and the test database must not be emptied
    under a billing transaction (PostgreSQL found the two deadlocked)."""
    import httpx

    busy = ("parley_active_streams ", "parley_database_units ")
    deadline = time.monotonic() + patience
    while True:
        reply = httpx.get(
            f"http://127.0.0.1:{server.port}/metrics",
            headers={"Authorization": f"Bearer {METRICS_TOKEN}"},
        )
        reply.raise_for_status()
        figures = [line for line in reply.text.splitlines() if line.startswith(busy)]
        assert len(figures) == 2, reply.text[:300]
        if all(float(line.split()[-1]) == 0 for line in figures):
            return
        assert time.monotonic() < deadline, figures
        time.sleep(0.05)


def fresh_window(minutes: float = WINDOW_MINUTES) -> float:
    """Wait for the start of a window; returns when it ends (epoch seconds)."""
    seconds = minutes * 60
    time.sleep(seconds - time.time() % seconds + 0.05)
    return (time.time() // seconds + 1) * seconds


@pytest.mark.django_db(transaction=True)
def test_user_limit_is_shared_by_two_web_processes_and_resets(warm, user):
    first, second = warm
    cookie = signed_in_cookie(user)
    ends = fresh_window()
    assert ask(first, cookie, "echo: one")["type"] == "final"
    assert ask(second, cookie, "echo: two")["type"] == "final"
    refused = ask(first, cookie, "echo: three")
    assert refused["code"] == "message_limit" and "at most 2 per" in refused["message"]
    assert ask(second, cookie, "echo: four")["code"] == "message_limit"
    time.sleep(max(0, ends - time.time()) + 0.05)
    assert ask(second, cookie, "echo: five")["type"] == "final"


@pytest.mark.django_db(transaction=True)
def test_ip_limit_counts_every_user_of_the_ip_in_both_processes(
    warm, user, stranger, django_user_model
):
    first, second = warm
    third = django_user_model.objects.create_user(email="carol@example.com", password="pw-c-1")
    alice, mallory, carol = (signed_in_cookie(u) for u in (user, stranger, third))
    ends = fresh_window()
    for server, cookie in ((first, alice), (second, alice), (first, mallory), (second, mallory)):
        assert ask(server, cookie, "echo: hi")["type"] == "final"
    refused = ask(first, carol, "echo: hi")
    assert refused["code"] == "message_limit" and "from this IP" in refused["message"]
    time.sleep(max(0, ends - time.time()) + 0.05)
    assert ask(second, carol, "echo: hi")["type"] == "final"


@pytest.mark.django_db(transaction=True)
def test_concurrent_limit_spans_both_processes_until_the_answer_ends(warm, user, mock_provider):
    import json

    from websockets.sync.client import connect

    first, second = warm
    cookie = signed_in_cookie(user)
    mock_provider.behaviour.ttft_ms = 1500
    ends = fresh_window()
    with connect(
        f"ws://127.0.0.1:{first.port}/ws/chat/",
        origin=CLIENT,
        additional_headers={"Cookie": cookie},
        user_agent_header=CHROME,
    ) as slow:
        slow.send(json.dumps(SEND | {"text": "echo: slow"}))
        assert json.loads(slow.recv(timeout=10))["type"] == "created"
        refused = ask(second, cookie, "echo: meanwhile")
        assert refused["code"] == "concurrent"
        while json.loads(slow.recv(timeout=20))["type"] != "final":
            pass
    mock_provider.behaviour.ttft_ms = 0
    time.sleep(max(0, ends - time.time()) + 0.05)  # the user limit (2) was used up
    assert ask(second, cookie, "echo: after")["type"] == "final"
