"""Every event the engine publishes is the protocol's frame (chatapp.protocol), JSON-safe."""

import json
import uuid
from decimal import Decimal

import pytest

from chatapp.engine import frames
from chatapp.models import Message
from chatapp.protocol import Created, Delta, Error, Final, State, Title
from tests.chatapp import factories

pytestmark = pytest.mark.django_db


def same(frame: dict, model) -> bool:
    """The dict is what the protocol's model dumps, and survives JSON."""
    return json.loads(json.dumps(frame)) == frame == model.model_validate(frame).dump()


def test_created_and_final_of_a_saved_turn(user):
    conversation = factories.conversation(user)
    question, answer = factories.exchange(conversation, "q", "a")
    answer.prompt_tokens, answer.completion_tokens, answer.cost = 3, 4, Decimal("0.00012")
    created = frames.created(conversation.id, question, answer)
    assert same(created, Created) and created["user_message"]["parent_id"] is None
    final = frames.final(answer)
    assert same(final, Final)
    assert final["message"]["usage"] == {"prompt_tokens": 3, "completion_tokens": 4}
    assert final["message"]["cost"] == 0.00012
    assert final["message"]["state"] == Message.State.COMPLETE
    assert created["user_message"]["files"] == []  # a text-only message reads as before


def test_created_with_the_user_messages_files(user):
    conversation = factories.conversation(user)
    question, answer = factories.exchange(conversation, "look", "a cat")
    shown = {"id": str(uuid.uuid4()), "name": "cat.png", "mime": "image/png", "size": 9,
             "kind": "image", "as_text": False, "url": "/api/files/x/content"}  # fmt: skip
    created = frames.created(conversation.id, question, answer, (shown,))
    assert same(created, Created) and created["user_message"]["files"] == [shown]


def test_delta_state_error_and_title():
    cid, mid = uuid.uuid4(), uuid.uuid4()
    delta = frames.delta(cid, mid, text="hé", reasoning="", offset=2, reasoning_offset=0)
    assert same(delta, Delta)
    assert same(frames.state(cid, mid, "so far", streaming=True), State)
    assert same(frames.state(cid, None, streaming=False), State)
    assert same(frames.title(cid, "Trip"), Title)
    assert same(frames.error("busy", "Wait.", cid), Error)
    assert frames.error("bad_frame", "No.", "not-a-uuid")["conversation_id"] is None
    assert same(frames.error("banned", "Bye."), Error)
    canonical = "55555555-5555-5555-5555-555555555555"
    assert frames.title("5" * 32, "Trip")["conversation_id"] == canonical  # as pydantic writes it


def test_tool_steps_live_and_saved(user):
    from chatapp.engine.steps import Step
    from chatapp.models import ToolStep
    from chatapp.protocol import Step as StepFrame

    conversation = factories.conversation(user)
    _, answer = factories.exchange(conversation, "q", "a")
    live = Step(position=0, round=0, call_id="c1", tool="echo", arguments='{"text": "x"}')
    info = frames.step_info(live)
    assert same(frames.step(conversation.id, answer.id, info), StepFrame)
    saved = ToolStep.objects.create(
        message=answer, position=1, tool="echo", state="done", result="x", duration_ms=3
    )
    infos = [info, frames.step_info(saved)]
    assert same(frames.final(answer, infos), Final)
    assert same(frames.state(conversation.id, answer.id, "a", streaming=True, steps=infos), State)
