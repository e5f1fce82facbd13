"""The index tasks on a real Celery worker (Redis broker, the test database), feeding the
Meilisearch double after a committed change."""

import time

import pytest

from chatapp import conversations
from chatapp.search.meili import INDEX
from tests.chatapp import factories
from tests.chatapp.search.meili_double import MeiliDouble


@pytest.fixture(scope="module")
def double():
    started = MeiliDouble().start()
    yield started
    started.stop()


@pytest.fixture(scope="module")
def worker(start_celery_worker, double):
    return start_celery_worker(SEARCH="true", MEILI_HOST=double.url, MEILI_MASTER_KEY=double.key)


def wait_for(check, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError("the worker did not index in time")


def test_committed_changes_reach_the_index_through_the_worker(
    transactional_db, settings, worker, celery_app_for, double, user
):
    settings.SEARCH, settings.MEILI_NO_SYNC = True, False
    settings.MEILI_HOST, settings.MEILI_MASTER_KEY = double.url, double.key
    celery_app_for(worker)
    conversation = factories.conversation(user, title="Before")
    factories.exchange(conversation, "Plan a trip to Lisbon", "Sure")

    conversations.update(conversation, {"title": "After"})  # commits, then queues the task
    documents = double.documents
    wait_for(lambda: {d["title"] for d in documents(INDEX).values()} == {"After"})
    assert len(documents(INDEX)) == 3  # the title and both messages
    assert "chatapp.search.tasks.index_conversation" in worker.log()

    conversations.delete(conversation)
    wait_for(lambda: documents(INDEX) == {})
