"""Fail-over through the /v1 API: the official openai SDK against a live Parley whose
endpoint holds two keys, the mock provider failing one of them (endpoints/failover.py)."""

from __future__ import annotations

from pathlib import Path

import openai
import pytest

from tests.chatapp.gateway.conftest import MODEL_ID

pytestmark = pytest.mark.django_db(transaction=True)
HELLO = "Hello there, brave new world!"


@pytest.fixture(scope="module")
def gateway_config(_mock_provider_server, tmp_path_factory) -> Path:
    """This module's live process: the Mock endpoint with a backup key of lower priority."""
    path = tmp_path_factory.mktemp("gateway-failover") / "librechat.yaml"
    path.write_text(f"""
version: 1.3.14
endpoints:
  custom:
    - name: Mock
      apiKey: sk-main
      baseURL: {_mock_provider_server.openai_url}
      models: {{default: [mock-small]}}
      titleConvo: false
      channels:
        - {{name: backup, apiKey: sk-backup, priority: -1}}
""")
    return path


def client(base: str, key: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=base, api_key=key, max_retries=0, timeout=30)


@pytest.mark.parametrize("stream", [False, True])
def test_a_request_fails_over_to_the_backup_key(live, gateway, user, make_key, stream):
    gateway.fail_key("sk-main", "429")
    answer = client(live, make_key(user)).chat.completions.create(
        model=MODEL_ID, messages=[{"role": "user", "content": f"echo: {HELLO}"}], stream=stream
    )
    text = (
        "".join(c.choices[0].delta.content or "" for c in answer if c.choices)
        if stream
        else answer.choices[0].message.content
    )
    assert text == HELLO
    assert [r.api_key for r in gateway.requests] == ["sk-main", "sk-backup"]


def test_every_key_failing_is_one_502_naming_the_endpoint(live, gateway, user, make_key):
    gateway.fail("500")
    with pytest.raises(openai.APIStatusError) as failed:
        client(live, make_key(user)).chat.completions.create(
            model=MODEL_ID, messages=[{"role": "user", "content": "echo: x"}]
        )
    assert failed.value.status_code == 502
    assert (
        "Every key tried for endpoint Mock failed (key 1, backup)" in failed.value.body["message"]
    )
    assert len(gateway.requests) == 2
