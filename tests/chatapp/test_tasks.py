"""The moderation task on a real Celery worker, awaited through the Redis result backend."""

import asyncio

import pytest

from accounts.guards import Refusal
from chatapp.engine import admission


@pytest.fixture(scope="module")
def worker(start_celery_worker, _mock_provider_server):
    return start_celery_worker(
        OPENAI_MODERATION="true",
        OPENAI_MODERATION_API_KEY="sk-moderation",
        OPENAI_MODERATION_REVERSE_PROXY=f"{_mock_provider_server.openai_url}/moderations",
    )


@pytest.fixture
def moderated(settings, worker, celery_app_for, mock_provider):
    settings.OPENAI_MODERATION = True
    settings.MODERATION_TIMEOUT = 5
    settings.MODERATION_FAIL_OPEN = False
    celery_app_for(worker)
    return mock_provider


def test_worker_refuses_a_flagged_message_and_passes_a_clean_one(moderated, worker):
    with pytest.raises(Refusal) as refused:
        asyncio.run(admission.screen("you moderate-me"))
    assert refused.value.code == "moderation" and "harassment" in refused.value.message
    asyncio.run(admission.screen("a kind message"))
    assert [r.body["input"] for r in moderated.requests] == ["you moderate-me", "a kind message"]
    assert "chatapp.tasks.moderate" in worker.log()


def test_worker_fails_closed_when_the_service_errors(moderated):
    moderated.fail("500")
    with pytest.raises(Refusal) as refused:
        asyncio.run(admission.screen("hello"))
    assert "could not be checked" in refused.value.message
