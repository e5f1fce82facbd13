"""`manage.py check_config [PATH]`: the table, every problem, exit status 1 on an error."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

LIBRECHAT = Path(__file__).parents[1] / "librechat"


def run(path: str, capsys) -> tuple[int, str]:
    try:
        call_command("check_config", path)
        status = 0
    except SystemExit as exit:
        status = exit.code
    return status, capsys.readouterr().out


@pytest.mark.parametrize("path", sorted(LIBRECHAT.glob("*.yaml")), ids=lambda p: p.name)
def test_every_librechat_file_checks_clean(path, capsys) -> None:
    status, out = run(str(path), capsys)
    assert status == 0, out
    assert out.splitlines()[-1].startswith("0 error(s)")


def test_the_example_names_each_unimplemented_feature(capsys) -> None:
    status, out = run(str(LIBRECHAT / "librechat.example.yaml"), capsys)
    assert status == 0
    assert "interface.multiConvo: accepted but ignored: Parley does not implement" in out
    assert "actions: accepted but ignored: Parley does not implement agent actions yet" in out
    assert "unavailable: GROQ_API_KEY is not set" in out


def test_errors_are_all_listed_and_exit_1(tmp_path, capsys) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("version: 1.3.14\nendpoints:\n  all:\n    baseURL: x\n  opneAI: {}\n")
    status, out = run(str(path), capsys)
    assert status == 1
    assert out.splitlines()[1:] == [
        f"error: {path}:4:5: endpoints.all.baseURL: is not allowed under endpoints.all: "
        "set baseURL on each endpoint",
        f"error: {path}:5:3: endpoints.opneAI: unknown key (did you mean 'openAI'?)",
        "2 error(s), 0 warning(s)",
    ]


def test_a_named_file_that_does_not_exist_is_an_error(tmp_path, capsys) -> None:
    status, out = run(str(tmp_path / "nope.yaml"), capsys)
    assert status == 1
    assert f"error: {tmp_path}/nope.yaml: file not found" in out


def test_the_shipped_librechat_yaml_loads(capsys) -> None:
    root = Path(__file__).resolve().parents[3]
    status, out = run(str(root / "librechat.yaml"), capsys)
    assert status == 0, out
    for name in ("openAI", "anthropic", "google", "bedrock"):
        assert any(line.startswith(name) for line in out.splitlines()), name


def test_fail_over_keys_are_listed_masked_with_their_state(tmp_path, capsys, settings) -> None:
    from endpoints.breaker import Breaker, Policy, channel_id
    from endpoints.endpoint import Channel

    settings.ENABLE_METRIC, settings.METRIC_QUEUE_SIZE = True, 1
    name = f"multi-{tmp_path.name[-8:]}"
    path = tmp_path / "multi.yaml"
    path.write_text(
        "version: 1.3.14\nendpoints:\n  custom:\n"
        f"    - name: {name}\n"
        "      apiKey: [sk-first-0123456789abcd, sk-second-0123456789wxyz]\n"
        "      baseURL: https://a.example/v1\n"
        "      models: {default: [m]}\n"
        "      channels:\n"
        "        - {name: backup, apiKey: sk-third-0123456789efgh, baseURL: https://b.example/v1,"
        " priority: -1, weight: 2}\n"
    )
    second = Channel("key 2", "sk-second-0123456789wxyz", "https://a.example/v1")
    Breaker(Policy.from_settings()).record(channel_id(name, second), ok=False)
    status, out = run(str(path), capsys)
    assert status == 0, out
    assert "3 keys (fail-over, below)" in out
    lines = out[out.index(f"Keys of {name} (fail-over):") :].splitlines()
    assert lines[1].split() == ["channel", "key", "base", "URL", "priority", "weight", "state"]
    assert lines[2].split() == ["key", "1", "sk-…abcd", "(librechat.yaml)", "https://a.example/v1",
                                "0", "1", "ok"]  # fmt: skip
    assert lines[3].split()[:3] == ["key", "2", "sk-…wxyz"]
    assert lines[3].split()[-3] == "benched" and lines[3].endswith(" s")
    assert lines[4].split()[:2] == ["backup", "sk-…efgh"]
    assert lines[4].split()[-3:] == ["-1", "2", "ok"]
    assert "0123456789" not in out


def test_mcp_servers_are_connected_once_and_a_down_one_is_a_warning(tmp_path, capsys) -> None:
    import sys

    from tests.endpoints.mcpclient.conftest import FAULTY

    path = tmp_path / "mcp.yaml"
    path.write_text(
        "version: 1.3.14\n"
        "mcpServers:\n"
        f"  faulty: {{command: {sys.executable}, args: ['{FAULTY}', '--secret=s3']}}\n"
        "  gone: {command: /nonexistent/mcp-server}\n"
        "  mine: {command: x, customUserVars: {TOKEN: {title: Token}}}\n"
    )
    status, out = run(str(path), capsys)
    assert status == 0, out
    rows = [
        line.split(None, 3)
        for line in out.splitlines()
        if line.startswith(("faulty", "gone", "mine"))
    ]
    assert rows[0][:2] == ["faulty", "stdio"] and rows[0][3].endswith("ok: 6 tool(s)")
    assert "s3" not in out  # arguments may hold secrets: never printed
    assert "down: the command was not found" in rows[1][3]
    assert rows[2][3].endswith("per user: connects when a user picks it")
    assert "warning: " in out and "mcpServers.gone: down: the command was not found" in out


def test_web_search_is_no_longer_warned_as_unimplemented(tmp_path, capsys) -> None:
    path = tmp_path / "search.yaml"
    path.write_text(
        "version: 1.3.14\ninterface:\n  webSearch: true\nwebSearch:\n"
        "  searxngInstanceUrl: https://searx.example\n  scraperProvider: local\n"
        "  rerankerType: none\n"
    )
    status, out = run(str(path), capsys)
    assert status == 0, out
    assert out.splitlines()[-1].startswith("0 error(s), 0 warning(s)")
