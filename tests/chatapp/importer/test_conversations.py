"""Conversations and message trees from a mongodump: versions, order, ownership, reruns."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from bson import ObjectId

from chatapp.importer import conversations
from chatapp.importer.run import Options
from chatapp.importer.steps import execute
from chatapp.models import Conversation, Message
from tests.chatapp.importer import dumps

pytestmark = pytest.mark.django_db


def imported(path, **options):
    return execute(Options(directory=path, **options))


def tree_dump(tmp_path):
    """Alice's 0.7 conversation (string timestamps) with a regenerated answer, and a 0.8 one."""
    alice = dumps.user("alice@librechat.test")
    old = dumps.conversation(
        alice, createdAt="2024-05-01T10:00:00.000Z", updatedAt="2024-05-02T10:00:00.000Z"
    )
    question = dumps.message(old, None, "What is 2+2?", createdAt="2024-05-01T10:00:00.000Z")
    first = dumps.message(
        old,
        question["messageId"],
        "4",
        isCreatedByUser=False,
        sender="GPT-4",
        model="gpt-4o",
        createdAt="2024-05-01T10:00:01.000Z",
    )
    second = dumps.message(
        old,
        question["messageId"],
        "Four.",
        isCreatedByUser=False,
        model="gpt-4o",
        unfinished=True,
        createdAt="2024-05-01T10:00:02.000Z",
    )
    new = dumps.conversation(alice, endpoint="anthropic", model="claude-sonnet-4", isArchived=True)
    ask = dumps.message(new, None, "", content=[{"type": "text", "text": "Think first"}])
    answer = dumps.message(
        new,
        ask["messageId"],
        "",
        isCreatedByUser=False,
        content=[
            {"type": "think", "think": "Let me think."},
            {"type": "text", "text": {"value": "Done."}},
            {"type": "tool_call", "tool_call": {"id": "t1", "name": "calc", "args": "{}"}},
        ],
    )
    # The dump lists the answers before their question: the tree is rebuilt parent first.
    messages = [second, first, question, answer, ask]
    dumps.write(tmp_path, {"users": [alice], "conversations": [old, new], "messages": messages})
    return old, new, question, first, second, answer


def test_both_versions_keep_ids_tree_and_content(tmp_path):
    old, new, question, first, second, answer = tree_dump(tmp_path)
    report = imported(tmp_path, batch_size=2)

    conv = Conversation.objects.get(pk=old["conversationId"])
    assert (conv.owner.email, conv.title, conv.endpoint, conv.model) == (
        "alice@librechat.test",
        "Imported chat",
        "openAI",
        "gpt-4o",
    )
    assert conv.parameters == {"temperature": 0.5}
    assert conv.created_at.isoformat() == "2024-05-01T10:00:00+00:00"
    assert conv.updated_at.isoformat() == "2024-05-02T10:00:00+00:00"
    branches = Message.objects.filter(parent_id=question["messageId"]).order_by("created_at")
    assert [(m.text, m.state) for m in branches] == [("4", "complete"), ("Four.", "aborted")]
    assert Message.objects.get(pk=question["messageId"]).parent_id is None

    reply = Message.objects.get(pk=answer["messageId"])
    assert (reply.text, reply.reasoning, reply.role) == ("Done.", "Let me think.", "assistant")
    assert Conversation.objects.get(pk=new["conversationId"]).archived is True
    lines = "\n".join(report.lines())
    assert "messages: 5 imported, 0 skipped" in lines
    assert "1 × tool_call parts are not kept" in lines


def test_a_second_run_imports_nothing_twice(tmp_path):
    tree_dump(tmp_path)
    imported(tmp_path)
    again = imported(tmp_path)
    assert (Conversation.objects.count(), Message.objects.count()) == (2, 5)
    assert again.tally("messages").imported == 0
    assert again.tally("messages").skipped["imported by an earlier run"] == 5


def test_an_interrupted_run_resumes(tmp_path):
    """The first run stopped after some messages were committed: the next one adds the rest."""
    old, *_ = tree_dump(tmp_path)
    imported(tmp_path)
    Message.objects.filter(conversation_id=old["conversationId"]).exclude(parent=None).delete()
    again = imported(tmp_path)
    assert again.tally("messages").imported == 2
    assert Message.objects.count() == 5


def test_a_dry_run_writes_nothing_and_counts_everything(tmp_path):
    tree_dump(tmp_path)
    report = imported(tmp_path, dry_run=True)
    assert (Conversation.objects.count(), Message.objects.count()) == (0, 0)
    assert report.tally("messages").imported == 5
    assert report.tally("conversations").imported == 2


def test_broken_records_are_named_with_their_field(tmp_path):
    alice = dumps.user("alice@librechat.test")
    conv = dumps.conversation(alice)
    good = dumps.message(conv, None, "fine")
    bad_date = dumps.message(conv, None, "x", createdAt="yesterday")
    bad_text = dumps.message(conv, None, None)
    bad_text["text"] = 42
    no_id = dumps.message(conv, None, "y")
    del no_id["messageId"]
    dumps.write(
        tmp_path,
        {"users": [alice], "conversations": [conv], "messages": [good, bad_date, bad_text, no_id]},
    )
    report = imported(tmp_path)
    lines = "\n".join(report.lines())
    assert (
        f"1 × unreadable field createdAt (e.g. _id {bad_date['_id']}: not a date ('yesterday'))"
        in lines
    )
    assert f"unreadable field text (e.g. _id {bad_text['_id']}: not text (int))" in lines
    assert "unreadable field messageId" in lines
    assert Message.objects.get().text == "fine"


def test_orphans_and_cycles_become_roots(tmp_path):
    alice = dumps.user("alice@librechat.test")
    conv = dumps.conversation(alice)
    orphan = dumps.message(conv, str(uuid.uuid4()), "lost parent")
    child = dumps.message(conv, orphan["messageId"], "child of the orphan")
    a, b = dumps.message(conv, None, "a"), dumps.message(conv, None, "b")
    a["parentMessageId"], b["parentMessageId"] = b["messageId"], a["messageId"]
    dumps.write(
        tmp_path, {"users": [alice], "conversations": [conv], "messages": [child, orphan, a, b]}
    )
    report = imported(tmp_path)
    assert Message.objects.get(pk=orphan["messageId"]).parent_id is None
    assert str(Message.objects.get(pk=child["messageId"]).parent_id) == orphan["messageId"]
    assert Message.objects.filter(parent=None).count() == 2  # the orphan, one of the loop
    assert report.tally("messages").imported == 4
    assert report.tally("messages (kept as roots)").skipped["parent not in the dump"] == 1


def test_a_message_is_imported_only_into_its_own_users_conversation(tmp_path):
    """Stranger: mallory's message naming alice's conversation goes nowhere."""
    alice, mallory = dumps.user("alice@librechat.test"), dumps.user("mallory@librechat.test")
    conv = dumps.conversation(alice)
    planted = dumps.message(conv, None, "planted", user=str(mallory["_id"]))
    dumps.write(
        tmp_path, {"users": [alice, mallory], "conversations": [conv], "messages": [planted]}
    )
    report = imported(tmp_path)
    assert not Message.objects.exists()
    assert report.tally("messages").skipped["its user does not own its conversation"] == 1


def test_a_conversation_id_held_by_another_account_is_not_taken_over(tmp_path, stranger):
    alice = dumps.user("alice@librechat.test")
    conv = dumps.conversation(alice)
    theirs = Conversation.objects.create(id=conv["conversationId"], owner=stranger, title="mine")
    dumps.write(
        tmp_path,
        {"users": [alice], "conversations": [conv], "messages": [dumps.message(conv, None, "hi")]},
    )
    report = imported(tmp_path)
    theirs.refresh_from_db()
    assert (theirs.owner, theirs.title, theirs.messages.count()) == (stranger, "mine", 0)
    assert report.tally("conversations").skipped["id taken by another account's conversation"] == 1


def test_temporary_chats_and_unknown_users_are_skipped(tmp_path):
    alice = dumps.user("alice@librechat.test")
    temporary = dumps.conversation(alice, expiredAt=dumps.T0 + timedelta(days=30))
    nobody = dumps.conversation({"_id": ObjectId()})
    dumps.write(tmp_path, {"users": [alice], "conversations": [temporary, nobody]})
    report = imported(tmp_path)
    assert not Conversation.objects.exists()
    assert report.tally("conversations").skipped == {
        "temporary chat": 1,
        "its user was not imported": 1,
    }


def test_non_uuid_ids_map_to_stable_uuids(tmp_path):
    alice = dumps.user("alice@librechat.test")
    conv = dumps.conversation(alice, conversationId="legacy-convo-1")
    dumps.write(
        tmp_path,
        {
            "users": [alice],
            "conversations": [conv],
            "messages": [dumps.message(conv, None, "hi", messageId="m-1")],
        },
    )
    imported(tmp_path)
    expected = conversations.as_uuid("legacy-convo-1")
    assert Conversation.objects.get().pk == expected
    assert Message.objects.get().conversation_id == expected


def test_a_duplicate_message_id_is_reported_not_fatal(tmp_path):
    """LibreChat's index keeps messageId unique, but a hand-merged dump may not: the first wins,
    even when it is still waiting for its parent as the duplicate arrives."""
    alice = dumps.user("alice@librechat.test")
    conv = dumps.conversation(alice)
    root = dumps.message(conv, None, "root")
    child = dumps.message(conv, root["messageId"], "first copy")
    twin = child | {"_id": dumps.ObjectId(), "text": "second copy"}
    dumps.write(tmp_path, {"users": [alice], "conversations": [conv],
                           "messages": [child, twin, root]})  # fmt: skip
    report = imported(tmp_path, batch_size=1)
    assert Message.objects.get(pk=child["messageId"]).text == "first copy"
    assert report.tally("messages").skipped == {"duplicate messageId in the dump": 1}
    assert report.tally("messages").imported == 2


def test_the_model_spec_a_conversation_ran_on_is_kept(tmp_path):
    ada = dumps.user("ada@librechat.test")
    on_spec, plain = dumps.conversation(ada, spec="brief"), dumps.conversation(ada)
    dumps.write(tmp_path, {"users": [ada], "conversations": [on_spec, plain]})
    imported(tmp_path)
    assert Conversation.objects.get(pk=on_spec["conversationId"]).spec == "brief"
    assert Conversation.objects.get(pk=plain["conversationId"]).spec == ""
