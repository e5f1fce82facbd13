"""The one prompt a turn sends and the pre-flight prices."""

import pytest

from chatapp.engine import prompt
from chatapp.engine.records import Turn
from chatapp.engine.request import plan
from chatapp.models import Message
from endpoints import config, tokens
from tests.chatapp import factories
from tests.chatapp.conftest import ENDPOINT, MODEL

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
