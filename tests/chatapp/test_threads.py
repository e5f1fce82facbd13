"""The shown branch: root to the chosen message, then down its newest children."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chatapp.models import Message
from chatapp.threads import visible_branch
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
    shown = visible_branch(messages)
    assert [s.message.text for s in shown] == ["q1'", "a2"]
    assert (shown[0].index, shown[0].count, shown[0].previous_id, shown[0].next_id) == (
        2,
        2,
        q1.id,
        None,
    )


def test_switching_to_a_sibling_follows_its_newest_answer(user):
    messages, (q1, a1, a1b, q1b, a2) = _tree(user)
    shown = visible_branch(messages, q1.id)
    assert [s.message.text for s in shown] == ["q1", "a1'"]
    assert (shown[1].index, shown[1].count, shown[1].previous_id) == (2, 2, a1.id)
    assert [s.message.text for s in visible_branch(messages, a1.id)] == ["q1", "a1"]


def test_empty_conversation_shows_nothing():
    assert visible_branch([]) == []


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
    shown = visible_branch(messages, answers[1234].id)
    assert [s.message for s in shown] == [question, answers[1234]]
    assert (shown[1].index, shown[1].count) == (1235, 10_000)
    assert (shown[1].previous_id, shown[1].next_id) == (answers[1233].id, answers[1235].id)
    newest = visible_branch(messages)[-1]
    assert (newest.message, newest.index, newest.next_id) == (answers[-1], 10_000, None)
