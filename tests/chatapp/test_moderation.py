"""Moderation through the official SDK against the mock provider; fail closed (or open)."""

import asyncio
import socket
import threading

import pytest

from accounts.guards import Refusal
from chatapp import moderation
from chatapp.engine import admission


@pytest.fixture
def moderation_on(settings, mock_provider):
    settings.OPENAI_MODERATION = True
    settings.OPENAI_MODERATION_API_KEY = "sk-moderation"
    settings.OPENAI_MODERATION_REVERSE_PROXY = mock_provider.openai_url
    settings.MODERATION_TIMEOUT = 5
    settings.MODERATION_FAIL_OPEN = False
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the real-worker run is in test_tasks.py
    return mock_provider


@pytest.fixture
def silent_server():
    """A TCP server that accepts connections and never answers."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted = []

    def accept() -> None:
        while True:
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/v1"
    listener.close()
    for connection in accepted:
        connection.close()


async def test_clean_text_passes_and_reaches_the_service(moderation_on):
    await admission.screen("hello there")
    request = moderation_on.last_request
    assert request.path.endswith("/moderations")
    assert request.body["input"] == "hello there"
    assert request.header("authorization") == "Bearer sk-moderation"


async def test_flagged_text_is_refused_with_the_categories(moderation_on):
    with pytest.raises(Refusal) as refused:
        await admission.screen("please moderate-me now")
    assert refused.value.code == "moderation"
    assert "flagged" in refused.value.message and "harassment" in refused.value.message


async def test_off_means_no_request(settings, mock_provider):
    settings.OPENAI_MODERATION = False
    await admission.screen("moderate-me")
    assert mock_provider.requests == []


@pytest.mark.parametrize("failure", ["500", "401", "malformed"])
async def test_a_failing_service_refuses_fail_closed(moderation_on, failure):
    moderation_on.fail(failure)
    with pytest.raises(Refusal) as refused:
        await admission.screen("hello")
    assert "could not be checked" in refused.value.message


async def test_fail_open_lets_it_through_with_a_warning(moderation_on, settings, caplog):
    settings.MODERATION_FAIL_OPEN = True
    moderation_on.fail("500")
    await admission.screen("hello")
    assert "moderation skipped" in caplog.text


async def test_a_silent_service_times_out_and_refuses(moderation_on, settings, silent_server):
    settings.OPENAI_MODERATION_REVERSE_PROXY = silent_server
    settings.MODERATION_TIMEOUT = 0.3
    started = asyncio.get_running_loop().time()
    with pytest.raises(Refusal) as refused:
        await admission.screen("hello")
    assert asyncio.get_running_loop().time() - started < 3
    assert "could not be checked" in refused.value.message


@pytest.mark.parametrize(
    ("answer", "refused"),
    [
        ({"categories": []}, False),
        ({"categories": ["violence"]}, True),
        ({"error": "Endpoint moderation is unavailable (HTTP 500)."}, True),
        ("garbage", True),
        (RuntimeError("task crashed"), True),
        (None, True),
    ],
)
def test_judge_every_kind_of_answer(settings, answer, refused):
    settings.MODERATION_FAIL_OPEN = False
    assert (moderation.judge(answer) is not None) is refused


def test_reverse_proxy_accepts_librechats_full_url(tmp_path):
    from tests.chatapp.test_settings import run_settings

    probe = run_settings(
        tmp_path,
        OPENAI_MODERATION="true",
        OPENAI_MODERATION_API_KEY="k",
        OPENAI_MODERATION_REVERSE_PROXY="https://proxy.example/v1/moderations",
    )
    assert probe.returncode == 0, probe.stderr
    missing = run_settings(tmp_path, OPENAI_MODERATION="true")
    assert "OPENAI_MODERATION_API_KEY" in missing.stderr
