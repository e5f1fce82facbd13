"""The database backends, for real: PostgreSQL when DATABASE_URL names it, SQLite embedded
(`modes`: CI runs these on both)."""

import pytest
from django.db import connection

from chatapp.search import service
from chatapp.search.backends import indexes
from chatapp.search.query import BadCursor

pytestmark = pytest.mark.modes


def ids(page) -> list[str]:
    return [hit.id for hit in page.results]


def test_backend_is_the_database_in_use(user):
    page = service.search(user, "anything")
    assert page.backend == ("postgresql" if connection.vendor == "postgresql" else "sqlite")
    assert page.results == [] and page.notice is None


def test_finds_messages_by_substring_with_snippet_and_message_to_jump_to(user, chat):
    conversation = chat(user, "Trip", "Plan a trip to Lisbon", "Lisbon is lovely in spring")
    page = service.search(user, "lisbon")
    [hit] = page.results
    assert hit.id == str(conversation.id)
    newest = conversation.messages.order_by("-created_at").first()
    assert hit.jump_to == str(newest.id)
    assert [m.role for m in hit.messages] == ["assistant", "user"]
    assert [s.text for s in hit.messages[0].snippet if s.hit] == ["Lisbon"]


def test_title_and_content_combined(user, chat):
    conversation = chat(user, "Python help", "why this error?", "a missing import")
    titled_only = chat(user, "Python tips", "use venv")
    assert set(ids(service.search(user, "python"))) == {str(conversation.id), str(titled_only.id)}
    [hit] = service.search(user, "python error").results
    assert hit.id == str(conversation.id)
    assert hit.jump_to == str(conversation.messages.get(role="user").id)
    assert [s.text for s in hit.title_snippet if s.hit] == ["Python"]


def test_every_term_must_match(user, chat):
    chat(user, "a", "apples and pears")
    chat(user, "b", "apples only")
    assert len(service.search(user, "apples pears").results) == 1
    assert len(service.search(user, "apples").results) == 2


@pytest.mark.parametrize(
    ("text", "query"),
    [
        ("我们今天讨论搜索引擎的设计", "搜索"),
        ("我们今天讨论搜索引擎的设计", "搜索引擎"),
        ("全文検索エンジンを作りました", "検索"),
        ("한국어검색엔진테스트입니다", "검색엔진"),
    ],
)
def test_cjk_substrings_are_found(user, chat, text, query):
    conversation = chat(user, "", "hello", text)
    [hit] = service.search(user, query).results
    assert hit.id == str(conversation.id)
    assert [s.text for s in hit.messages[0].snippet if s.hit] == [query]


def test_short_terms_match(user, chat):
    chat(user, "", "shall we go now", "AI says yes")
    assert len(service.search(user, "go").results) == 1
    assert len(service.search(user, "ai").results) == 1


def test_a_stranger_finds_nothing_of_anothers(user, stranger, chat):
    chat(user, "Secret plan", "the password is hunter2", "noted")
    crafted = ["secret", "hunter2", "%", "_", "' OR 1=1 --", "owner_id = 1", '" OR "1"="1', "*"]
    for query in crafted:
        assert service.search(stranger, query).results == [], query
    assert len(service.search(user, "hunter2").results) == 1


@pytest.mark.parametrize(
    "query", ['"quoted"', "-dash", "star*", "key:value", "50%", "snake_case", "back\\slash", "it's"]
)
def test_syntax_characters_are_plain_text(user, chat, query):
    chat(user, "", f"before {query} after", "ok")
    chat(user, "", "nothing of the sort here", "no")
    page = service.search(user, query)
    assert len(page.results) == 1, query


def test_like_wildcards_do_not_widen(user, chat):
    chat(user, "", "plain words", "more words")
    assert service.search(user, "%%%").results == []
    assert service.search(user, "___").results == []


def test_empty_and_huge_queries(user, chat):
    chat(user, "t", "word " * 50)
    assert service.search(user, "").results == []
    assert service.search(user, "   ").results == []
    page = service.search(user, "word " * 5000)
    assert len(page.results) == 1 and len(page.query) <= 200


def test_pages_follow_the_cursor_newest_first(user, chat):
    made = [chat(user, f"conv {n}", f"common text {n}") for n in range(service.PAGE_SIZE + 5)]
    first = service.search(user, "common")
    assert len(first.results) == service.PAGE_SIZE and first.next_cursor
    second = service.search(user, "common", first.next_cursor)
    assert second.next_cursor is None
    assert ids(first) + ids(second) == [str(c.id) for c in reversed(made)]
    with pytest.raises(BadCursor):
        service.search(user, "common", "bogus")


def test_archived_conversations_are_found_and_flagged(user, chat):
    conversation = chat(user, "old", "archived words")
    conversation.archived = True
    conversation.save()
    [hit] = service.search(user, "archived").results
    assert hit.archived


def test_anonymous_user_gets_nothing(chat, user):
    from django.contrib.auth.models import AnonymousUser

    chat(user, "x", "visible text")
    assert service.search(AnonymousUser(), "visible").results == []


def test_an_index_handed_an_older_copy_of_a_message_keeps_its_current_text(user, chat):
    # Two sync tasks can index one message at once (a partial, then the final text);
    # whichever writes last must not put the older text back.
    conversation = chat(user, "Notes", "alpha beta")
    message = conversation.messages.get()
    older = type(message).objects.get(pk=message.pk)
    message.text = "gamma delta"
    message.save()
    for index in indexes(automatic=True):
        index.index(conversation, [older])
        index.index(conversation, [older])  # twice: the entry is replaced, not duplicated
    assert ids(service.search(user, "gamma")) == [str(conversation.id)]
    assert ids(service.search(user, "alpha")) == []


def test_a_documents_text_and_a_files_name_are_found_with_their_message(
    user, stranger, chat, attach
):
    from chatapp.files import uploads
    from chatapp.search import indexing
    from tests.chatapp.files.conftest import png_bytes

    conversation = chat(user, "Budget", "summarise this", "Done.")
    question = conversation.messages.get(role="user")
    notes, _ = attach(
        question,
        ("q3.md", b"# Q3\nThe quarterly revenue forecast grew."),
        ("floorplan.png", png_bytes()),
    )
    for query in ("revenue", "quarterly forecast", "floorplan", "q3.md", "budget revenue"):
        [hit] = service.search(user, query).results
        assert (hit.id, hit.jump_to) == (str(conversation.id), str(question.id)), query
    [hit] = service.search(user, "revenue").results
    assert [s.text for s in hit.messages[0].snippet if s.hit] == ["revenue"]
    for query in ("revenue", "floorplan", "q3.md"):  # never another user's files
        assert service.search(stranger, query).results == [], query
    uploads.delete(notes)  # a deleted file is no longer found
    indexing.index_conversation(str(conversation.id))
    assert service.search(user, "revenue").results == []
    assert len(service.search(user, "floorplan").results) == 1
