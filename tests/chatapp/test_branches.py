"""Branches: the provider's path, the shared/forked branch, and the shown one (root to the
chosen message, then down its newest children)."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from chatapp import branches
from chatapp.branches import path_to, visible
from chatapp.models import Message
from tests.chatapp import factories

pytestmark = pytest.mark.django_db


def _tree(user):
    """q1 → a1, a1' (regenerated); q1' (edited) → a2."""
    conv = factories.conversation(user)
    start = timezone.now()
    stamps = iter(start + timedelta(seconds=n) for n in range(10))

    def add(role, text, parent=None):
        return Message.objects.create(
            conversation=conv, parent=parent, role=role, text=text, created_at=next(stamps)
        )

    q1 = add("user", "q1")
    a1 = add("assistant", "a1", q1)
    a1b = add("assistant", "a1'", q1)
    q1b = add("user", "q1'")
    a2 = add("assistant", "a2", q1b)
    return list(conv.messages.all()), (q1, a1, a1b, q1b, a2)


def test_default_is_the_newest_branch(user):
    messages, (q1, a1, a1b, q1b, a2) = _tree(user)
    shown = visible(messages)
    assert [s.message.text for s in shown] == ["q1'", "a2"]
    assert (shown[0].index, shown[0].count, shown[0].previous_id, shown[0].next_id) == (
        2,
        2,
        q1.id,
        None,
    )


def test_switching_to_a_sibling_follows_its_newest_answer(user):
    messages, (q1, a1, a1b, q1b, a2) = _tree(user)
    shown = visible(messages, q1.id)
    assert [s.message.text for s in shown] == ["q1", "a1'"]
    assert (shown[1].index, shown[1].count, shown[1].previous_id) == (2, 2, a1.id)
    assert [s.message.text for s in visible(messages, a1.id)] == ["q1", "a1"]


def test_empty_conversation_shows_nothing():
    assert visible([]) == []


def test_ten_thousand_siblings(user):
    conv = factories.conversation(user)
    question = Message.objects.create(conversation=conv, role="user", text="q")
    start = timezone.now()
    Message.objects.bulk_create(
        Message(
            conversation=conv,
            parent=question,
            role="assistant",
            text=f"a{n}",
            created_at=start + timedelta(milliseconds=n + 1),
        )
        for n in range(10_000)
    )
    messages = list(conv.messages.all())
    answers = messages[1:]
    shown = visible(messages, answers[1234].id)
    assert [s.message for s in shown] == [question, answers[1234]]
    assert (shown[1].index, shown[1].count) == (1235, 10_000)
    assert (shown[1].previous_id, shown[1].next_id) == (answers[1233].id, answers[1235].id)
    newest = visible(messages)[-1]
    assert (newest.message, newest.index, newest.next_id) == (answers[-1], 10_000, None)


@dataclass(frozen=True)
class Node:
    id: object
    parent_id: object


def test_path_follows_the_active_branch_only():
    nodes = [Node(1, None), Node(2, 1), Node(3, 1), Node(4, 3)]
    assert [n.id for n in path_to(nodes, 4)] == [1, 3, 4]
    assert path_to(nodes, "unknown") == []


def test_path_through_ten_thousand_siblings():
    siblings = [Node(n, 0) for n in range(1, 10_001)]
    nodes = [Node(0, None), *siblings, Node("next", 7_000)]
    assert [n.id for n in path_to(nodes, "next")] == [0, 7_000, "next"]


def test_branch_ends_at_the_one_asked_for_or_the_newest(user):
    messages, (q1, a1, a1b, q1b, a2) = _tree(user)
    conversation = q1.conversation
    assert branches.branch(conversation, a1) == [q1, a1]
    assert branches.branch(conversation, None) == [q1b, a2]
    assert branches.branch(factories.conversation(user), None) == []


def test_a_strangers_conversation_is_not_reachable(user, stranger):
    """Branches walk a conversation the caller fetched through chatapp.access: a stranger's
    id never names one (the walk itself has no owner to check)."""
    from django.http import Http404

    from chatapp import access

    _, (q1, *_) = _tree(user)
    with pytest.raises(Http404):
        access.get_conversation_for(stranger, q1.conversation_id)
