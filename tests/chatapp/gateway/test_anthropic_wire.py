"""Anthropic's request shape into a Call, and its error shape."""

import base64

import pytest

from chatapp.gateway import anthropic_wire
from chatapp.gateway.call import Outcome
from chatapp.gateway.errors import ApiError
from endpoints.adapters.base import ImagePart, TextPart, ToolCall, ToolResult, ToolSpec
from tests.chatapp.gateway.test_openai_wire import png

USER = {"role": "user", "content": "hi"}
MORE = {"role": "user", "content": [{"type": "text", "text": "more"}]}
ANSWER = {"type": "text", "text": "42"}
TOOL = {"name": "f", "description": "F.", "input_schema": {"type": "object"}}


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


def test_image_tool_use_and_tool_result_blocks_make_the_prompt():
    source = {"type": "base64", "media_type": "image/gif", "data": base64.b64encode(png()).decode()}
    call = anthropic_wire.parse({
        "model": "m",
        "max_tokens": 64,
        "messages": [
            {"role": "user", "content": [{"type": "image", "source": source}, MORE["content"][0]]},
            {"role": "assistant", "content": [
                {"type": "text", "text": "Let me see."},
                {"type": "tool_use", "id": "t1", "name": "f", "input": {"x": 1}},
            ]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "t1", "content": [ANSWER]},
            ]},
        ],
        "tools": [TOOL],
        "tool_choice": {"type": "tool", "name": "f"},
    })  # fmt: skip
    first, asked, answered = call.messages
    assert first.parts == (ImagePart("image/png", png()), TextPart("more"))
    assert asked.text == "Let me see." and asked.tool_calls == (ToolCall("t1", "f", '{"x": 1}'),)
    assert answered.tool_results == (ToolResult("t1", "f", "42"),)
    assert call.tools == (ToolSpec("f", "F.", {"type": "object"}),) and call.tool_choice == "f"


def test_tool_calls_are_tool_use_blocks():
    call = anthropic_wire.parse({"model": "m", "max_tokens": 5, "messages": [USER]})
    outcome = Outcome("0f-1", "", "", 3, 1, finish_reason="tool_calls",
                      tool_calls=(ToolCall("t1", "f", '{"x": 1}'),))  # fmt: skip
    message = anthropic_wire.message(call, outcome)
    assert message["stop_reason"] == "tool_use"
    assert message["content"] == [{"type": "tool_use", "id": "t1", "name": "f", "input": {"x": 1}}]


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"messages": [USER]}, "max_tokens"),
        ({"max_tokens": 5, "messages": []}, "messages"),
        ({"max_tokens": 5, "messages": [{"role": "system", "content": "x"}]}, "messages.0.role"),
        (
            {"max_tokens": 5, "messages": [{"role": "user", "content": [{"type": "image"}]}]},
            "messages.0.content.0.source",
        ),
        (
            {"max_tokens": 5, "messages": [{"role": "user", "content": [{"type": "video"}]}]},
            "messages.0.content.0",
        ),
        (
            {"max_tokens": 5, "messages": [USER], "tools": [{"type": "web_search_20250305"}]},
            "tools.0",
        ),
        ({"max_tokens": 5, "messages": [USER], "tools": [TOOL, TOOL]}, "tools"),
        (
            {"max_tokens": 5, "messages": [USER], "tools": [TOOL], "tool_choice": {"type": "any"}},
            "tool_choice",
        ),
        (
            {
                "max_tokens": 5,
                "messages": [
                    {
                        "role": "user",
                        "content": [{"type": "tool_result", "tool_use_id": "nope", "content": "x"}],
                    }
                ],
            },
            "messages.0.content.0.tool_use_id",
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
