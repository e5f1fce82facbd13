"""Scheduled checks of every endpoint's keys (chatapp.channelchecks, chatapp.tasks.check_channels):
in-process, on a real Celery worker, in the beat schedule and in the admin."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid

import pytest

from chatapp import channelchecks
from chatapp.models import ChannelCheck
from endpoints import config
from endpoints.breaker import Breaker, Policy, channel_id
from endpoints.registry import Registry
from tests.chatapp.test_settings import ROOT, SECRETS

pytestmark = pytest.mark.django_db


def librechat_yaml(url: str, name: str) -> str:
    return f"""
version: 1.3.14
endpoints:
  custom:
    - name: {name}
      apiKey: [sk-good-0123456789abcd, sk-bad-0123456789wxyz]
      baseURL: {url}
      models: {{default: [mock-small]}}
    - name: single-{name}
      apiKey: sk-single-0123456789efgh
      baseURL: {url}
      models: {{default: [mock-large]}}
    - name: theirs-{name}
      apiKey: user_provided
      baseURL: {url}
      models: {{default: [mock-small]}}
"""


@pytest.fixture
def setup(tmp_path, mock_provider):
    name = f"multi-{uuid.uuid4().hex[:8]}"  # its own breaker state in the shared cache
    path = tmp_path / "librechat.yaml"
    path.write_text(librechat_yaml(mock_provider.openai_url, name))
    policy = Policy(enabled=True, queue_size=1, threshold=1.0, cooldown=300)
    registry = Registry(config.load(str(path), {}), breaker=Breaker(policy))
    return registry, name, path


def test_each_key_is_checked_and_recorded_masked(setup, mock_provider) -> None:
    registry, name, _ = setup
    mock_provider.fail_key("sk-bad-0123456789wxyz", "401")
    assert channelchecks.run(registry, prompt="Say your name.") == 3
    rows = {(r.endpoint, r.channel): r for r in ChannelCheck.objects.all()}
    assert set(rows) == {(name, "key 1"), (name, "key 2"), (f"single-{name}", "key")}
    good, bad, single = rows[name, "key 1"], rows[name, "key 2"], rows[f"single-{name}", "key"]
    assert (good.ok, good.key, good.model, good.state) == (True, "sk-…abcd", "mock-small", "ok 1/1")
    assert good.reply.startswith("say your name say your name")
    assert (bad.ok, bad.key) == (False, "sk-…wxyz") and bad.state.startswith("benched")
    assert bad.error == f"Authentication failed for endpoint {name}."
    assert (single.ok, single.key, single.model, single.state) == (
        True,
        "sk-…efgh",
        "mock-large",
        "",
    )
    assert good.latency_ms is not None and good.base_url == mock_provider.openai_url
    sent = {(r.api_key, r.body["messages"][-1]["content"]) for r in mock_provider.requests}
    assert sent == {(k, "Say your name.") for k in ("sk-good-0123456789abcd",
                    "sk-bad-0123456789wxyz", "sk-single-0123456789efgh")}  # fmt: skip


def test_a_benched_key_whose_check_succeeds_is_back(setup, mock_provider) -> None:
    registry, name, _ = setup
    endpoint = registry.endpoint(name)
    bad = channel_id(endpoint, endpoint.channels[1])
    registry.breaker.record(bad, ok=False)
    assert registry.breaker.describe(bad).startswith("benched")
    channelchecks.run(registry, prompt="hello")
    assert registry.breaker.describe(bad) == "ok 1/1"


def test_the_task_runs_on_a_real_worker(setup, start_celery_worker, celery_app_for, settings):
    from chatapp import tasks

    registry, name, path = setup
    worker = start_celery_worker(CONFIG_PATH=str(path), TEST_PROMPT="echo: worker check")
    celery_app_for(worker)
    tasks.check_channels.delay()
    deadline = time.monotonic() + 60
    while ChannelCheck.objects.count() < 3 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert ChannelCheck.objects.count() == 3, worker.log()
    assert set(ChannelCheck.objects.values_list("reply", flat=True)) == {"worker check"}
    assert "chatapp.tasks.check_channels" in worker.log()


def test_beat_schedules_the_check_every_channel_test_frequency_minutes(tmp_path) -> None:
    probe = (
        "import json, django; django.setup(); from django.conf import settings as s;"
        "print(json.dumps([s.CELERY_BEAT_SCHEDULE.get('check-channels'), s.TEST_PROMPT]))"
    )

    def under(**env: str):
        clean = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "chatapp.settings"}
        clean.update(PARLEY_DATA_DIR=str(tmp_path), **SECRETS, **env)
        out = subprocess.run(
            [sys.executable, "-c", probe], cwd=ROOT, env=clean, capture_output=True, text=True
        )
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)

    entry, prompt = under(CHANNEL_TEST_FREQUENCY="15", TEST_PROMPT="Hello")
    assert entry == {"task": "chatapp.tasks.check_channels", "schedule": 900}
    assert prompt == "Hello"
    entry, prompt = under()
    assert entry is None and prompt.startswith("Print your model name exactly")


def test_the_admin_lists_the_checks_read_only(admin_client) -> None:
    ChannelCheck.objects.create(
        endpoint="groq", channel="key 2", key="gsk…wxyz", model="m", ok=False, error="Nope."
    )
    page = admin_client.get("/admin/chatapp/channelcheck/")
    assert page.status_code == 200
    assert b"gsk\xe2\x80\xa6wxyz" in page.content and b"key 2" in page.content
    assert admin_client.get("/admin/chatapp/channelcheck/add/").status_code == 403
