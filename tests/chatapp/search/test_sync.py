"""Every committed change schedules its index task after commit (explicit calls, no signals)."""

import time
from concurrent.futures import Future

import pytest
from django.db import connection, connections, transaction
from django.urls import reverse

from chatapp import conversations, titles, transfer
from chatapp.conf.dispatch import enqueue
from chatapp.engine import records, settlement
from chatapp.engine.records import Ask
from chatapp.search import sync, tasks
from chatapp.search.meili import INDEX
from endpoints import config, registry
from endpoints.adapters.base import Usage
from tests.chatapp import factories


def scheduled(callbacks) -> list[tuple]:
    """(task name, args) of each search task handed to `enqueue` after commit, or, on the
    embedded default, of each change handed to the batch (`sync.Batch`) instead."""
    found = []
    for callback in callbacks:
        func = getattr(callback, "func", None)
        if func is enqueue:
            task, *args = callback.args
            if task.name.startswith("chatapp.search."):
                found.append((task.name.rsplit(".", 1)[-1], *args))
        elif func == sync.batch.add:
            found.append(("index_conversation", *callback.args))
    return found


@pytest.fixture
def conversation(user, meili):
    conv = factories.conversation(user, title="Trip")
    factories.exchange(conv, "Plan a trip", "Sure")
    return conv


def test_rename_and_archive(conversation, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        conversations.update(conversation, {"title": "Lisbon"})
        conversations.update(conversation, {"archived": True})
    cid = str(conversation.id)
    assert scheduled(callbacks) == [("index_conversation", cid, None)] * 2


def test_delete(conversation, django_capture_on_commit_callbacks):
    cid = str(conversation.id)
    with django_capture_on_commit_callbacks() as callbacks:
        conversations.delete(conversation)
    assert scheduled(callbacks) == [("remove_conversation", cid)]


def test_fork_and_import(user, conversation, django_capture_on_commit_callbacks):
    message = conversation.messages.get(role="assistant")
    with django_capture_on_commit_callbacks() as callbacks:
        copy = conversations.fork(user, conversation, message)
        imported = transfer.import_conversation(user, transfer.export_json(conversation))
    assert scheduled(callbacks) == [
        ("index_conversation", str(copy.id), None),
        ("index_conversation", str(imported.id), None),
    ]


def test_new_and_edited_messages(user, conversation, django_capture_on_commit_callbacks):
    asked = conversation.messages.get(role="user")
    send = Ask(conversation_id=conversation.id, endpoint="openAI", model="gpt-4o",
               text="and Porto?")  # fmt: skip
    with django_capture_on_commit_callbacks() as callbacks:
        sent = records.send(user, send)
        sent.response.state = "complete"  # as the generation leaves it
        sent.response.save()
        edited = records.edit(user, conversation.id, asked.id, "Plan a trip to Porto")
    cid = str(conversation.id)
    assert scheduled(callbacks) == [
        ("index_conversation", cid, [str(sent.user_message.id)]),
        ("index_conversation", cid, [str(edited.user_message.id)]),
    ]


def test_nothing_is_scheduled_for_a_rolled_back_change(
    conversation, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        conversations.update(conversation, {"title": "never"})
        raise RuntimeError
    assert callbacks == []


def test_owner_deleted(user, meili, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        sync.owner_deleted(user.pk)
    assert scheduled(callbacks) == [("remove_owner", user.pk)]


def test_meili_no_sync_turns_the_automatic_sync_off(
    conversation, settings, django_capture_on_commit_callbacks
):
    settings.MEILI_NO_SYNC = True
    with django_capture_on_commit_callbacks() as callbacks:
        conversations.update(conversation, {"title": "Lisbon"})
    # Meilisearch is left out; only the SQLite FTS table (never PostgreSQL) is still fed.
    fed = [("index_conversation", str(conversation.id), None)]
    assert scheduled(callbacks) == ([] if connection.vendor == "postgresql" else fed)


@pytest.mark.django_db(transaction=True)
def test_a_committed_rename_reaches_the_index_through_the_task(user, meili, settings, monkeypatch):
    """End to end: commit → enqueue → the task (on the in-process pool here) → Meilisearch."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    # The pool thread closes its connection after the task, so the test database can be dropped.
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    conversation = factories.conversation(user, title="Before")
    with transaction.atomic():
        conversations.update(conversation, {"title": "After"})
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        titles = {d["title"] for d in meili.documents(INDEX).values()}
        if titles == {"After"}:
            break
        time.sleep(0.05)
    assert titles == {"After"}


def test_tasks_wrap_the_indexing_functions(user, meili):
    conversation = factories.conversation(user, title="Direct")
    tasks.index_conversation.apply(args=[str(conversation.id)]).get()
    assert {d["title"] for d in meili.documents(INDEX).values()} == {"Direct"}
    tasks.remove_conversation.apply(args=[str(conversation.id)]).get()
    assert meili.documents(INDEX) == {}


def test_a_batch_task_indexes_each_of_its_conversations(user, meili):
    one = factories.conversation(user, title="One")
    two = factories.conversation(user, title="Two")
    tasks.index_conversations.apply(args=[{str(one.id): None, str(two.id): []}]).get()
    assert {d["title"] for d in meili.documents(INDEX).values()} == {"One", "Two"}


def test_the_sidebar_delete_and_account_deletion(
    client, user, conversation, settings, django_capture_on_commit_callbacks
):
    settings.ALLOW_ACCOUNT_DELETION = True
    client.force_login(user)
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(reverse("chat:delete", args=[conversation.id]))
        client.post(reverse("account_delete"), {"confirm": user.email})
    assert scheduled(callbacks) == [
        ("remove_conversation", str(conversation.id)),
        ("remove_owner", user.pk),
    ]


TITLE_CONFIG = """
version: 1.3.14
endpoints:
  custom:
    - name: plain
      apiKey: sk-plain
      baseURL: {url}
      models: {{default: [mock-small]}}
      titleConvo: true
      titleMessageRole: user
      titlePrompt: "echo: {{convo}}"
      titlePromptTemplate: "{{input}}{{output}}"
"""


def test_a_saved_title(
    user, meili, mock_provider, settings, tmp_path, django_capture_on_commit_callbacks
):
    path = tmp_path / "librechat.yaml"
    path.write_text(TITLE_CONFIG.format(url=mock_provider.openai_url))
    settings.CONFIG_PATH = str(path)
    config.current.cache_clear()
    registry.current.cache_clear()
    try:
        conversation = factories.conversation(user, endpoint="plain", model="mock-small")
        with django_capture_on_commit_callbacks() as callbacks:
            assert titles.generate(str(conversation.id), "Lisbon trip", " ok") == "Lisbon trip ok"
    finally:
        config.current.cache_clear()
        registry.current.cache_clear()
    assert scheduled(callbacks) == [("index_conversation", str(conversation.id), None)]


def test_the_final_text_of_a_response(user, conversation, django_capture_on_commit_callbacks):
    asked = conversation.messages.get(role="user")
    answered = conversation.messages.get(role="assistant")
    turn = records.Turn(conversation, asked, answered, params={})
    with django_capture_on_commit_callbacks() as callbacks:
        settlement.settled(turn, answered, Usage(), None, False)
    assert ("index_conversation", str(conversation.id), [str(answered.id)]) in scheduled(callbacks)


def test_a_batch_runs_one_at_a_time_with_what_changed_meanwhile_merged():
    runs: list[tuple[dict, Future]] = []

    def start(changes: dict) -> Future:
        runs.append((changes, Future()))
        return runs[-1][1]

    batch = sync.Batch(start)
    batch.add("c1", ["m1"])
    assert [changes for changes, _ in runs] == [{"c1": ["m1"]}]  # at once when idle
    batch.add("c1", ["m3"])
    batch.add("c2", ["m4"])
    batch.add("c1", ["m2"])
    batch.add("c2", None)  # the whole conversation covers its messages
    assert len(runs) == 1  # waits for the running batch
    runs[0][1].set_result(None)
    assert runs[1][0] == {"c1": ["m2", "m3"], "c2": None}
    runs[1][1].set_result(None)
    assert len(runs) == 2  # nothing waited: idle again
    batch.add("c3", ["m5"])
    assert runs[2][0] == {"c3": ["m5"]}


def test_a_batch_whose_start_fails_is_not_left_running():
    def start(changes: dict) -> Future:
        raise RuntimeError("the pool is shut down")

    batch = sync.Batch(start)
    with pytest.raises(RuntimeError):
        batch.add("c1", None)
    with pytest.raises(RuntimeError):  # tried again: not stuck waiting for a run
        batch.add("c2", None)
