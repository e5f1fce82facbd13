"""bench/tree.py times each tree walk on a conversation it builds (figures in bench/README)."""

import pytest

from bench import tree
from chatapp.models import Conversation, Message

pytestmark = pytest.mark.django_db


def test_measure_builds_the_siblings_and_times_every_walk():
    figures = tree.measure(50)
    assert set(figures) == {
        "tree (API, with query)",
        "visible (page)",
        "path_to (provider)",
        "branch (share, fork)",
    }
    assert all(ms >= 0 for ms in figures.values())
    conversation = Conversation.objects.get(title="50 siblings")
    question = conversation.messages.get(parent=None)
    assert Message.objects.filter(parent=question).count() == 50
