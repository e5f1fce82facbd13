"""A dead process's streaming responses are marked interrupted, their running steps cancelled."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chatapp.engine import recovery
from chatapp.models import Message, ToolStep
from tests.chatapp import factories

pytestmark = pytest.mark.django_db


def test_stale_responses_and_their_running_steps(user) -> None:
    conversation = factories.conversation(user)
    _, stale = factories.exchange(conversation, "q", "partial")
    _, live = factories.exchange(conversation, "q2", "going")
    long_ago = timezone.now() - timedelta(minutes=5)
    Message.objects.filter(pk=stale.pk).update(state="streaming", updated_at=long_ago)
    Message.objects.filter(pk=live.pk).update(state="streaming")
    for message in (stale, live):
        ToolStep.objects.create(message=message, position=0, tool="echo", state="running")
    ToolStep.objects.create(message=stale, position=1, tool="echo", state="done", result="x")
    assert recovery.mark_interrupted(stale_after=60) == 1
    assert Message.objects.get(pk=stale.pk).state == "interrupted"
    assert Message.objects.get(pk=live.pk).state == "streaming"
    states = {(s.message_id, s.position): s.state for s in ToolStep.objects.all()}
    assert states == {
        (stale.id, 0): "cancelled",
        (stale.id, 1): "done",
        (live.id, 0): "running",
    }
