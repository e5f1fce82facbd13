"""The one prompt a turn sends and the pre-flight prices."""

import asyncio
import base64
import json
from dataclasses import replace

import pytest

from chatapp.engine import prompt
from chatapp.engine.records import Turn
from chatapp.engine.request import plan
from chatapp.models import Message, ToolStep
from endpoints import config, requests, tokens
from endpoints.adapters.base import RequestContext, ToolSpec
from endpoints.registry import adapter_class
from tests.chatapp import factories
from tests.chatapp.conftest import ENDPOINT, MODEL
from tests.endpoints.adapters.conftest import KINDS, MODELS, mock_endpoint
from tests.endpoints.adapters.helpers import run

pytestmark = pytest.mark.django_db


def _conversation(user):
    conversation = factories.conversation(
        user, endpoint=ENDPOINT, model=MODEL, system_prompt="Be brief."
    )
    old_q, old_a = factories.exchange(conversation, "first question", "first answer")
    factories.exchange(conversation, "a sibling branch", "never sent", parent=None)
    asked, answered = factories.exchange(conversation, "echo: again", "again", parent=old_a)
    return conversation, asked, answered


def test_the_branch_and_the_new_text_in_order(user, chat_endpoint):
    conversation, asked, answered = _conversation(user)
    endpoint = config.current().get(ENDPOINT)
    sent = prompt.build(conversation, answered.id, MODEL, endpoint, "next")
    assert [(m.role, m.content) for m in sent] == [
        ("system", "Be brief."),
        ("user", "first question"),
        ("assistant", "first answer"),
        ("user", "echo: again"),
        ("assistant", "again"),
        ("user", "next"),
    ]


def test_the_estimate_is_the_count_of_what_the_request_sends(user, chat_endpoint):
    """A regenerate: the prompt ends at the user message answered again."""
    conversation, asked, _ = _conversation(user)
    response = Message.objects.create(
        conversation=conversation, parent=asked, role="assistant", endpoint=ENDPOINT, model=MODEL
    )
    sent = plan(Turn(conversation, asked, response, {}), user).request.messages
    endpoint = config.current().get(ENDPOINT)
    estimate = prompt.estimate(conversation, asked.id, MODEL, endpoint)
    assert estimate == tokens.count_messages(sent, MODEL)
    assert [m.content for m in sent] == [
        "Be brief.",
        "first question",
        "first answer",
        "echo: again",
    ]


def test_a_prompt_too_long_for_the_window_costs_nothing(user, chat_endpoint):
    small = "{prompt: 1, completion: 1, context: 50}"
    chat_endpoint(token_config=f"      tokenConfig:\n        mock-small: {small}")
    endpoint = config.current().get(ENDPOINT)
    assert prompt.estimate(None, None, MODEL, endpoint, "word " * 100) == 0


def test_the_estimate_prices_the_instructions_the_turn_will_send(user, chat_endpoint):
    """A new chat starts with the user's instructions, and a send may set others: the
    pre-flight prices the system prompt that will be sent, not the one stored before."""
    from chatapp.engine.admission import estimate_prompt

    endpoint = config.current().get(ENDPOINT)
    bare = estimate_prompt(user, None, None, "hi", endpoint, MODEL, instructions="")
    user.instructions = "word " * 300
    user.save(update_fields=["instructions"])
    assert estimate_prompt(user, None, None, "hi", endpoint, MODEL) > bare + 290
    conversation, _, answered = _conversation(user)
    stored = estimate_prompt(user, conversation.pk, answered.id, "hi", endpoint, MODEL)
    longer = estimate_prompt(
        user, conversation.pk, answered.id, "hi", endpoint, MODEL, instructions="word " * 300
    )
    assert longer > stored + 290
    conversation.refresh_from_db()
    assert conversation.system_prompt == "Be brief."  # priced, never saved


ECHO = ToolSpec("echo", "Say the text back.", {"type": "object"})
# Each wire's roles, and in each message its kinds of blocks, for a turn after a tool call.
AFTER_A_CALL = {
    "openai": [("user", "text"), ("assistant", "tool_calls"), ("tool", "text"),
               ("assistant", "text"), ("user", "text")],
    "anthropic": [("user", "text"), ("assistant", "text tool_use"), ("user", "tool_result"),
                  ("assistant", "text"), ("user", "text")],
    "google": [("user", "text"), ("model", "text functionCall"), ("user", "functionResponse"),
               ("model", "text"), ("user", "text")],
    "bedrock": [("user", "text"), ("assistant", "text toolUse"), ("user", "toolResult"),
                ("assistant", "text"), ("user", "text")],
}  # fmt: skip
AFTER_A_CALL["azure"] = AFTER_A_CALL["openai"]


def _shape(kind: str, body: dict) -> list[tuple[str, str]]:
    if kind in ("openai", "azure"):
        return [
            (m["role"], "tool_calls" if m.get("tool_calls") else "text") for m in body["messages"]
        ]
    listed = body["contents"] if kind == "google" else body["messages"]
    shapes = []
    for message in listed:
        blocks = message["parts"] if kind == "google" else message["content"]
        if isinstance(blocks, str):  # Anthropic's plain text
            blocks = [{"type": "text"}]
        kinds = [b.get("type") or next(k for k in b if k in BLOCKS) for b in blocks]
        shapes.append((message["role"], " ".join(kinds)))
    return shapes


BLOCKS = ("text", "functionCall", "function_call", "functionResponse", "function_response",
          "toolUse", "toolResult")  # fmt: skip


@pytest.mark.parametrize("kind", KINDS)
def test_an_earlier_tool_call_reaches_every_wire_with_its_result(
    user, chat_endpoint, mock_provider, monkeypatch, kind
):
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", mock_provider.url)
    conversation = factories.conversation(user, endpoint=ENDPOINT, model=MODEL)
    asked, answered = factories.exchange(conversation, "look it up", "Let me see. It is 4.")
    ToolStep.objects.create(
        message=answered, position=0, call_id="toolu_1", tool="echo", arguments='{"text": "4"}',
        result="4", state="done", text_offset=len("Let me see. "), signature="c2lnLTE=",
    )  # fmt: skip
    endpoint = mock_endpoint(mock_provider, kind)
    sent = prompt.build(
        conversation, answered.id, MODELS[kind], endpoint, "echo: thanks", offered=["echo"]
    )
    built = requests.build(endpoint, MODELS[kind], sent, None, RequestContext())
    adapter = adapter_class(kind)(endpoint, max_retries=0)
    outcome = asyncio.run(run(adapter, replace(built, tools=(ECHO,))))
    assert (outcome.error, outcome.text) == (None, "thanks")
    body = mock_provider.last_request.body
    assert _shape(kind, body) == AFTER_A_CALL[kind]
    assert "toolu_1" in json.dumps(body) or kind == "google"  # Gemini matches calls by name
    if kind == "google":  # the call's thoughtSignature goes back with it
        call = body["contents"][1]["parts"][1]
        signature = call.get("thoughtSignature", call.get("thought_signature"))
        assert base64.urlsafe_b64decode(signature) == b"sig-1"


def test_the_question_is_asked_from_the_branch_its_admission_read(
    user, chat_endpoint, django_assert_num_queries
):
    """The branch read for the price is the one sent: nothing is read again once the user
    message is saved, and the prompt is the one the database gives."""
    conversation, _, answered = _conversation(user)
    endpoint = config.current().get(ENDPOINT)
    branch = prompt.read(conversation, answered.id, MODEL)
    question = Message.objects.create(
        conversation=conversation, parent=answered, role="user", text="next"
    )
    with django_assert_num_queries(0):
        sent = prompt.asking(conversation, question, MODEL, endpoint, branch=branch)
    assert sent == prompt.build(conversation, question.id, MODEL, endpoint)
    assert sent[-1].content == "next"


def test_a_branch_read_while_an_answer_streamed_is_read_again(user, chat_endpoint):
    conversation, asked, _ = _conversation(user)
    endpoint = config.current().get(ENDPOINT)
    streaming = Message.objects.create(
        conversation=conversation, parent=asked, role="assistant", text="half", state="streaming"
    )
    branch = prompt.read(conversation, streaming.id, MODEL)
    Message.objects.filter(pk=streaming.pk).update(text="half and whole", state="complete")
    question = Message.objects.create(
        conversation=conversation, parent=streaming, role="user", text="next"
    )
    sent = prompt.asking(conversation, question, MODEL, endpoint, branch=branch)
    assert [m.content for m in sent][-2:] == ["half and whole", "next"]
