"""`manage.py check_channels`: every key checked once now; exit 1 when one failed."""

from __future__ import annotations

import uuid

import pytest
from django.core.management import call_command

from chatapp.models import ChannelCheck
from endpoints import config
from endpoints import registry as registries
from tests.chatapp.test_channelchecks import librechat_yaml

pytestmark = pytest.mark.django_db


def test_the_command_checks_once_and_exits_1_on_a_failed_key(
    tmp_path, mock_provider, settings, capsys
):
    name = f"multi-{uuid.uuid4().hex[:8]}"
    path = tmp_path / "librechat.yaml"
    path.write_text(librechat_yaml(mock_provider.openai_url, name))
    settings.CONFIG_PATH = str(path)
    config.current.cache_clear()
    registries.current.cache_clear()
    mock_provider.fail_key("sk-bad-0123456789wxyz", "500")
    try:
        with pytest.raises(SystemExit) as exit:
            call_command("check_channels")
    finally:
        config.current.cache_clear()
        registries.current.cache_clear()
    assert exit.value.code == 1
    lines = capsys.readouterr().out.splitlines()
    failed = f"failed: Endpoint {name} is unavailable (HTTP 500)."
    assert lines == [
        f"{name}  key 1  sk-…abcd  ok  (breaker: ok)",  # ENABLE_METRIC is off
        f"{name}  key 2  sk-…wxyz  {failed}  (breaker: ok)",
        f"single-{name}  key  sk-…efgh  ok",
    ]
    assert ChannelCheck.objects.filter(endpoint=name, ok=False).count() == 1
