"""The steps of a model reply's calls (chatapp.engine.steps)."""

import pytest

from chatapp.engine import steps
from chatapp.models import ToolStep
from chatapp.tools.registry import Toolbox
from endpoints.adapters.base import ToolCall
from tests.chatapp import factories


def test_a_step_keeps_its_calls_signature_to_send_it_back():
    """Gemini's thoughtSignature is saved with the step, for the loop and later turns."""
    calls = (ToolCall("c1", "echo", "{}", "c2lnLTE="), ToolCall("c2", "echo", "{}"))
    first, second = steps.plan(calls, Toolbox(), first=3, round_=1)
    assert (first.position, first.round, first.signature) == (3, 1, "c2lnLTE=")
    assert (second.position, second.signature) == (4, "")


@pytest.mark.django_db
def test_the_signature_is_saved_with_the_step(user):
    conversation = factories.conversation(user)
    _, answered = factories.exchange(conversation, "q", "")
    (step,) = steps.plan((ToolCall("c1", "echo", "{}", "c2lnLTE="),), Toolbox(), 0, 0)
    steps.save_started(answered.id, [step])
    assert ToolStep.objects.get(message=answered).signature == "c2lnLTE="
