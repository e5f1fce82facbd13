"""The conversation tree and branches: correct, and linear in the number of siblings."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chatapp import conversations
from chatapp.models import Message
from tests.chatapp import factories

pytestmark = pytest.mark.django_db
SIBLINGS = 10_000


def _siblings(user, count: int):
    """One question with `count` regenerated answers, oldest first."""
    conv = factories.conversation(user)
    question = Message.objects.create(conversation=conv, role="user", text="q")
    start = timezone.now()
    answers = Message.objects.bulk_create(
        Message(
            conversation=conv,
            parent=question,
            role="assistant",
            text=f"a{n}",
            created_at=start + timedelta(milliseconds=n + 1),
        )
        for n in range(count)
    )
    return conv, question, answers


def test_tree_of_ten_thousand_siblings(user):
    conv, question, answers = _siblings(user, SIBLINGS)
    tree = conversations.tree(conv)
    nodes = tree["messages"]
    assert len(nodes) == SIBLINGS + 1
    assert nodes[0]["id"] == str(question.id)
    assert nodes[0]["children"] == [str(a.id) for a in answers]
    assert [n["sibling_index"] for n in nodes[1:]] == list(range(SIBLINGS))
    assert {n["sibling_count"] for n in nodes[1:]} == {SIBLINGS}
    assert tree["current_id"] == str(answers[-1].id)


def test_stranger_reads_nothing_through_the_api(user, stranger, client):
    conv, _, _ = _siblings(user, 3)
    client.force_login(stranger)
    assert client.get(f"/api/conversations/{conv.id}").status_code == 404
