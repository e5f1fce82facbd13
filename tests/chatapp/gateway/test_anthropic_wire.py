"""Anthropic's request shape into a Call, and its error shape."""

import pytest

from chatapp.gateway import anthropic_wire
from chatapp.gateway.call import Outcome
from chatapp.gateway.errors import ApiError

USER = {"role": "user", "content": "hi"}
MORE = {"role": "user", "content": [{"type": "text", "text": "more"}]}


def test_system_blocks_history_and_max_tokens():
    call = anthropic_wire.parse({
        "model": "m",
        "max_tokens": 64,
        "system": [{"type": "text", "text": "Be brief."}],
        "messages": [USER, {"role": "assistant", "content": "hello"}, MORE],
        "temperature": 0.3,
        "thinking": {"type": "enabled", "budget_tokens": 2048},
    })  # fmt: skip
    assert call.instructions == "Be brief." and call.text == "more"
    assert call.history == (("user", "hi"), ("assistant", "hello"))
    assert call.params == {
        "max_tokens": 64, "temperature": 0.3, "thinking": True, "thinkingBudget": 2048,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"messages": [USER]}, "max_tokens"),
        ({"max_tokens": 5, "messages": []}, "messages"),
        ({"max_tokens": 5, "messages": [{"role": "system", "content": "x"}]}, "messages.0.role"),
        (
            {"max_tokens": 5, "messages": [{"role": "user", "content": [{"type": "image"}]}]},
            "messages.0.content",
        ),
    ],
)
def test_bad_requests_name_the_field(body, param):
    with pytest.raises(ApiError) as refused:
        anthropic_wire.parse(body)
    assert refused.value.param == param


def test_errors_and_messages_in_anthropics_shape():
    body = anthropic_wire.error_body(ApiError(401, "invalid_request_error", "Bad key."))
    assert body == {
        "type": "error",
        "error": {"type": "authentication_error", "message": "Bad key."},
    }
    call = anthropic_wire.parse({"model": "m", "max_tokens": 5, "messages": [USER]})
    message = anthropic_wire.message(call, Outcome("0f-1", "hi", "", 3, 1))
    assert message["id"] == "msg_0f1" and message["usage"] == {
        "input_tokens": 3,
        "output_tokens": 1,
    }
