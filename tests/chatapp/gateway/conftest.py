"""The /v1 API's fixtures: a librechat.yaml on the mock provider, a live Parley web process
(a real daphne) sharing the test database, and keys.

One web process serves a whole test module (starting daphne is the slow part); each
test gets fresh tables (transactional) and a fresh mock provider.
"""

from __future__ import annotations

import os
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from accounts import apikeys
from endpoints import config, registry
from tests.conftest import database_url_of_test_db
from tests.webprocess import WebProcess

MODEL_ID = "Mock/mock-small"
METRICS_TOKEN = "gateway-tests"  # the live process's /metrics, read between tests
TOKEN_CONFIG = "      tokenConfig: {mock-small: {prompt: 1, completion: 2, context: 8000}}"


def gateway_yaml(mock_url: str) -> str:
    return f"""
version: 1.3.14
endpoints:
  custom:
    - name: Mock
      apiKey: sk-mock
      baseURL: {mock_url}
      models: {{default: [mock-small, mock-large]}}
      streamRate: 1
      titleConvo: false
{TOKEN_CONFIG}
    - name: Other
      apiKey: sk-mock
      baseURL: {mock_url}
      models: {{default: [mock-large, mock-other]}}
      titleConvo: false
"""


@pytest.fixture(scope="module")
def gateway_config(_mock_provider_server, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("gateway") / "librechat.yaml"
    path.write_text(gateway_yaml(_mock_provider_server.openai_url))
    return path


@pytest.fixture
def gateway(gateway_config, mock_provider, settings):
    """This process on the gateway's config (what the live process reads too)."""
    settings.CONFIG_PATH = str(gateway_config)
    config.current.cache_clear()
    registry.current.cache_clear()
    yield mock_provider
    config.current.cache_clear()
    registry.current.cache_clear()


@pytest.fixture(scope="module")
def live_env(gateway_config, django_db_setup, django_db_blocker, tmp_path_factory) -> dict:
    with django_db_blocker.unblock():
        database = database_url_of_test_db()
    keep = ("PATH", "HOME", "LANG", "TIKTOKEN_CACHE_DIR")
    return {
        **{k: v for k, v in os.environ.items() if k in keep},
        "DATABASE_URL": database,
        "REDIS_URI": os.environ.get("REDIS_URI", ""),
        "REDIS_KEY_PREFIX": f"{django_settings.REDIS_KEY_PREFIX}-gw",
        "CONFIG_PATH": str(gateway_config),
        "PARLEY_DATA_DIR": str(tmp_path_factory.mktemp("web")),
        "DEBUG_LOGGING": "false",
        "SECRET_KEY": django_settings.SECRET_KEY,
        "CREDS_KEY": django_settings.CREDS_KEY,
        "CREDS_IV": django_settings.CREDS_IV,
        "GLOBAL_API_RATE_LIMIT": "0",
        "METRICS_TOKEN": METRICS_TOKEN,
    }


@pytest.fixture(scope="module")
def live_server_process(live_env):
    web = WebProcess(live_env)
    yield web
    web.stop()


@pytest.fixture
def live(live_server_process, gateway, transactional_db) -> str:
    """The live web process's /v1 base URL, for the SDKs (its log is printed after the
    test: pytest shows it when the test fails)."""
    start = len(live_server_process.output)
    base = f"http://127.0.0.1:{live_server_process.port}"
    yield f"{base}/v1"
    # The test's answer can arrive before its turn is billed: flushing the database under
    # that settlement deadlocks, so the next test starts once no generation runs.
    eventually(lambda: _generations_running(base) == 0)
    print("".join(live_server_process.output[start:]))


def _generations_running(base: str) -> float:
    request = urllib.request.Request(
        f"{base}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        for line in response.read().decode().splitlines():
            if line.startswith("parley_active_streams "):
                return float(line.split()[1])
    raise AssertionError("/metrics has no parley_active_streams")


@pytest.fixture
def make_key(db) -> Callable[..., str]:
    def make(user, **options) -> str:
        return apikeys.create(user, **options)[1]

    return make


def eventually(check: Callable[[], object], seconds: float = 15) -> object:
    """`check()` once it is truthy (the web process bills after it answers)."""
    deadline = time.monotonic() + seconds
    while not (result := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"never true: {check}")
        time.sleep(0.05)
    return result
