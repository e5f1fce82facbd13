"""The Meilisearch backend through the official client, against the HTTP double."""

import pytest
from django.utils import translation

from chatapp.search import backends, indexing, service
from chatapp.search.backends import describe
from chatapp.search.base import SearchUnavailable
from chatapp.search.meili import INDEX, SETTINGS, segments
from chatapp.search.query import parse


def test_index_is_created_with_owner_filterable_and_documents_carry_the_owner(user, chat, meili):
    conversation = chat(user, "Trip", "Plan a trip to Lisbon", "Lisbon is lovely")
    index = meili.indexes[INDEX]
    assert index["primaryKey"] == "id"
    assert index["settings"] == SETTINGS
    assert "owner_id" in index["settings"]["filterableAttributes"]
    documents = meili.documents(INDEX)
    assert len(documents) == 3  # the title and two messages
    assert {d["owner_id"] for d in documents.values()} == {user.pk}
    assert {d["title"] for d in documents.values()} == {"Trip"}
    assert f"c_{conversation.id.hex}" in documents


def test_search_returns_conversations_with_snippets(user, chat, meili):
    conversation = chat(user, "Trip", "Plan a trip to Lisbon", "sunny")
    page = service.search(user, "lisbon")
    assert page.backend == "meilisearch" and page.notice is None
    [hit] = page.results
    assert hit.id == str(conversation.id)
    assert hit.jump_to == str(conversation.messages.get(role="user").id)
    assert [s.text for s in hit.messages[0].snippet if s.hit] == ["Lisbon"]


def test_every_query_is_filtered_by_owner(user, stranger, chat, meili):
    chat(user, "Secret plan", "the password is hunter2")
    for query in ["secret", "hunter2", "owner_id = 1", f"owner_id = {user.pk}", '" OR "', "-x"]:
        assert service.search(stranger, query).results == [], query
    assert len(service.search(user, "hunter2").results) == 1


def test_query_operators_are_plain_text(user, chat, meili):
    chat(user, "", "alpha beta")
    chat(user, "", "gamma")
    # A leading dash would negate in Meilisearch and widen the search to everything else.
    assert service.search(user, "-alpha").results[0].messages[0].snippet
    assert len(service.search(user, "-alpha").results) == 1
    assert len(service.search(user, '"alpha beta"').results) == 1


def test_remove_conversation_and_owner(user, stranger, chat, meili):
    kept = chat(user, "kept", "words here")
    gone = chat(user, "gone", "words there")
    theirs = chat(stranger, "theirs", "words too")
    indexing.remove_conversation(str(gone.id))
    conversations = {d["conversation_id"] for d in meili.documents(INDEX).values()}
    assert conversations == {str(kept.id), str(theirs.id)}
    indexing.remove_owner(user.pk)
    conversations = {d["conversation_id"] for d in meili.documents(INDEX).values()}
    assert conversations == {str(theirs.id)}


def test_unreachable_index_falls_back_to_the_database_with_a_notice(user, chat, meili):
    conversation = chat(user, "Trip", "Plan a trip to Lisbon")
    meili.stop()
    with translation.override("en"):
        page = service.search(user, "lisbon")
    assert page.backend != "meilisearch"
    assert page.notice and "unavailable" in page.notice
    assert [hit.id for hit in page.results] == [str(conversation.id)]
    assert describe().endswith(")") and "fallback" in describe()


def test_wrong_key_is_unavailable_not_a_crash(user, chat, meili, settings):
    chat(user, "Trip", "Lisbon")
    settings.MEILI_MASTER_KEY = "not-the-key-000000000"
    with pytest.raises(SearchUnavailable, match="invalid"):
        backends.meili().search(user.pk, parse("lisbon"), 0, 5)
    page = service.search(user, "lisbon")
    assert page.notice and len(page.results) == 1


def test_describe_names_the_backend(meili, settings):
    assert describe() == "meilisearch"
    settings.MEILI_HOST = ""
    assert "MEILI_HOST" in describe()
    settings.SEARCH = False
    assert describe() in ("sqlite", "postgresql")


def test_segments_split_on_the_private_markers():
    marked = "a \ue000hit\ue001 b \ue000two\ue001"
    assert [(s.text, s.hit) for s in segments(marked)] == [
        ("a ", False), ("hit", True), (" b ", False), ("two", True),
    ]  # fmt: skip


def test_a_messages_files_are_searchable_for_their_owner_only(user, stranger, chat, attach, meili):
    conversation = chat(user, "Budget", "summarise this", "Done.")
    question = conversation.messages.get(role="user")
    attach(question, ("q3.md", b"# Q3\nThe quarterly revenue forecast grew."))
    document = meili.documents(INDEX)[f"m_{question.id.hex}"]
    assert document["files"] == "q3.md\n# Q3\nThe quarterly revenue forecast grew."
    [hit] = service.search(user, "revenue").results
    assert hit.jump_to == str(question.id)
    assert [s.text for s in hit.messages[0].snippet if s.hit] == ["revenue"]
    assert service.search(stranger, "revenue").results == []
