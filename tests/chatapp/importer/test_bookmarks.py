"""Bookmarks from a mongodump: `conversationtags` and the conversations' `tags`."""

from __future__ import annotations

import pytest

from accounts.models import User
from chatapp import bookmarks
from chatapp.importer.bookmarks import LINKS
from chatapp.importer.run import Options
from chatapp.importer.steps import execute
from chatapp.models import Conversation, ConversationTag
from tests.chatapp.importer import dumps

pytestmark = pytest.mark.django_db


def imported(path, **options):
    return execute(Options(directory=path, **options))


def shelf(email: str) -> list[tuple[str, str, int, int]]:
    """A user's bookmarks as the sidebar lists them: name, description, position, count."""
    user = User.objects.get(email=email)
    return [(t.name, t.description, t.position, t.count) for t in bookmarks.counted(user)]


def tags_of(conversation: dict) -> list[str]:
    row = Conversation.objects.get(pk=conversation["conversationId"])
    return sorted(row.tags.values_list("name", flat=True))


def test_tags_with_their_description_position_and_conversations(tmp_path):
    ada = dumps.user("ada@librechat.test")
    work = dumps.conversation(ada, tags=["Work", "Saved"])
    other = dumps.conversation(ada, tags=["Work"])
    plain = dumps.conversation(ada)
    tags = [
        dumps.tag(ada, "Saved", position=0, count=1),
        dumps.tag(ada, "Work", description="Day job", position=1, count=2),
        dumps.tag(ada, "Unused", position=2, count=0),
    ]
    dumps.write(
        tmp_path,
        {"users": [ada], "conversations": [work, other, plain], "conversationtags": tags},
    )
    report = imported(tmp_path)

    assert shelf("ada@librechat.test") == [  # LibreChat's count is what Parley counts
        ("Saved", "", 0, 1),
        ("Work", "Day job", 1, 2),
        ("Unused", "", 2, 0),
    ]
    assert (tags_of(work), tags_of(other), tags_of(plain)) == (["Saved", "Work"], ["Work"], [])
    assert report.tally("conversationtags").imported == 3
    assert report.tally("conversation tags").imported == 3


def test_a_second_run_imports_nothing_twice(tmp_path):
    ada = dumps.user("ada@librechat.test")
    conv = dumps.conversation(ada, tags=["Work"])
    dumps.write(
        tmp_path,
        {"users": [ada], "conversations": [conv], "conversationtags": [dumps.tag(ada, "Work")]},
    )
    imported(tmp_path)
    again = imported(tmp_path)
    assert shelf("ada@librechat.test") == [("Work", "", 0, 1)]
    assert again.tally("conversationtags").skipped == {"imported by an earlier run": 1}
    assert again.tally("conversation tags").imported == 0


def test_each_user_gets_their_own_tag_of_a_shared_name(tmp_path):
    """The stranger: two users' tags of the same name stay apart."""
    ada, bob = dumps.user("ada@librechat.test"), dumps.user("bob@librechat.test")
    mine, theirs = dumps.conversation(ada, tags=["Work"]), dumps.conversation(bob, tags=["Work"])
    tags = [dumps.tag(ada, "Work", description="ada's"), dumps.tag(bob, "Work")]
    dumps.write(
        tmp_path,
        {"users": [ada, bob], "conversations": [mine, theirs], "conversationtags": tags},
    )
    imported(tmp_path)
    assert shelf("ada@librechat.test") == [("Work", "ada's", 0, 1)]
    assert shelf("bob@librechat.test") == [("Work", "", 0, 1)]
    bob_tag = ConversationTag.objects.get(owner__email="bob@librechat.test")
    assert list(bob_tag.conversations.values_list("owner__email", flat=True)) == [
        "bob@librechat.test"
    ]


def test_a_merged_account_keeps_its_bookmark_of_the_same_name(tmp_path, user):
    mine = ConversationTag.objects.create(owner=user, name="Work", description="Parley's")
    alice = dumps.user("alice@example.com")
    conv = dumps.conversation(alice, tags=["Work"])
    tag = dumps.tag(alice, "Work", description="LibreChat's", position=4)
    dumps.write(tmp_path, {"users": [alice], "conversations": [conv], "conversationtags": [tag]})
    report = imported(tmp_path, merge_existing=True)
    assert shelf("alice@example.com") == [("Work", "Parley's", 0, 1)]
    assert tags_of(conv) == ["Work"] and ConversationTag.objects.get() == mine
    assert report.tally("conversationtags").skipped == {
        "the user already has a bookmark of that name in Parley": 1
    }


def test_broken_and_missing_tags_are_reported(tmp_path):
    ada = dumps.user("ada@librechat.test")
    gone = dumps.user("gone@librechat.test")
    untitled = dumps.tag(ada, "x")
    del untitled["tag"]
    tags = [
        untitled,
        dumps.tag(ada, 42),
        dumps.tag(ada, "y" * 101),
        dumps.tag(gone, "Theirs"),
        dumps.tag(ada, "Work", position=-3, description="d" * 2000),
    ]
    odd = dumps.conversation(ada, tags="Work")  # not a list: the chat comes, its tags do not
    unknown = dumps.conversation(ada, tags=["Work", "Later", " ", "z" * 101])
    dumps.write(
        tmp_path,
        {"users": [ada], "conversations": [odd, unknown], "conversationtags": tags},
    )
    report = imported(tmp_path)
    again = imported(tmp_path)

    work = ConversationTag.objects.get(name="Work")
    assert (work.position, len(work.description)) == (0, 1000)
    assert Conversation.objects.count() == 2 and tags_of(odd) == []
    # A name no tag document holds becomes a bookmark, placed last, as LibreChat tags it.
    assert tags_of(unknown) == ["Later", "Work"]
    assert [t[0] for t in shelf("ada@librechat.test")] == ["Work", "Later"]
    assert report.tally("conversationtags").skipped == {
        "unreadable field tag": 3,
        "its user was not imported": 1,
    }
    assert report.tally("conversation tags").skipped == {
        "unreadable field tags": 1,
        "not a bookmark name (empty or over 100 characters)": 2,
    }
    assert LINKS not in again.collections  # the conversations were there: nothing to say


def test_a_dry_run_writes_no_bookmark(tmp_path):
    ada = dumps.user("ada@librechat.test")
    conv = dumps.conversation(ada, tags=["Work"])
    dumps.write(
        tmp_path,
        {"users": [ada], "conversations": [conv], "conversationtags": [dumps.tag(ada, "Work")]},
    )
    report = imported(tmp_path, dry_run=True)
    assert not ConversationTag.objects.exists()
    assert report.tally("conversationtags").imported == 1
    assert report.tally("conversation tags").imported == 1
