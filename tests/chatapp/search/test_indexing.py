"""Feeding the indexes: conversation changes, removal, and the rebuild."""

import pytest
from django.db import connection

from chatapp.models import Message
from chatapp.search import indexing, service
from chatapp.search.meili import INDEX
from tests.chatapp import factories

pytestmark = pytest.mark.modes


def test_index_only_the_given_messages(user, meili):
    conversation = factories.conversation(user, title="t")
    asked, answered = factories.exchange(conversation, "first question", "first answer")
    indexing.index_conversation(str(conversation.id), [str(asked.id)])
    texts = {d["text"] for d in meili.documents(INDEX).values()}
    assert texts == {"", "first question"}  # the title document and the one message


def test_a_deleted_conversation_is_removed_when_its_task_runs(user, meili, chat):
    conversation = chat(user, "t", "words")
    conversation_id = str(conversation.id)
    conversation.delete()
    indexing.index_conversation(conversation_id)  # a late task for a conversation now gone
    assert meili.documents(INDEX) == {}


def test_reindex_rebuilds_and_prunes_while_search_keeps_answering(user, stranger, meili):
    mine = factories.conversation(user, title="Mine")
    factories.exchange(mine, "never synced text", "an answer")
    theirs = factories.conversation(stranger, title="Theirs")
    factories.exchange(theirs, "their words", "ok")
    meili.indexes.setdefault(INDEX, {"primaryKey": "id", "settings": {}, "documents": {}})
    stale = {"id": "m_stale", "owner_id": user.pk, "conversation_id": "gone", "indexed_at": 1}
    meili.documents(INDEX)["m_stale"] = stale
    seen = []
    assert indexing.reindex(progress=lambda done, total: seen.append((done, total))) == 2
    assert seen == [(1, 2), (2, 2)]
    assert "m_stale" not in meili.documents(INDEX)
    assert [hit.id for hit in service.search(user, "synced").results] == [str(mine.id)]


def test_reindex_one_user_leaves_the_others(user, stranger, meili, chat):
    theirs = chat(stranger, "Theirs", "their words")
    factories.exchange(factories.conversation(user, title="Mine"), "my words", "ok")
    assert indexing.reindex(user) == 1
    owners = {d["owner_id"] for d in meili.documents(INDEX).values()}
    assert owners == {user.pk, stranger.pk}
    assert [h.id for h in service.search(stranger, "their").results] == [str(theirs.id)]


def test_reindex_catches_up_with_changes_the_sync_missed(user, chat):
    conversation = chat(user, "t", "searchable words")
    Message.objects.filter(conversation=conversation).update(text="changed behind its back")
    assert service.search(user, "searchable").results == []  # a stale copy never shows
    indexing.reindex()
    assert len(service.search(user, "behind").results) == 1
    assert service.search(user, "searchable").results == []
    conversation.delete()
    indexing.reindex()
    assert service.search(user, "behind").results == []
    if connection.vendor == "sqlite":  # the FTS copy is pruned too
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM search_fts")
            assert cursor.fetchone()[0] == 0


def test_reindex_reads_each_conversation_in_a_few_queries(
    user, meili, django_assert_max_num_queries
):
    """Not one query per message: a long conversation costs what a short one does."""
    conversation = factories.conversation(user, title="long")
    parent = None
    for n in range(40):
        parent, _answer = factories.exchange(conversation, f"question {n}", "answer", parent)
    with django_assert_max_num_queries(10):
        assert indexing.reindex(user) == 1
