"""OpenAI's request shape into a Call, and the shapes out."""

import base64
import io

import pytest
from PIL import Image

from chatapp.gateway import openai_wire
from chatapp.gateway.call import Delta, Outcome
from chatapp.gateway.errors import ApiError
from endpoints.adapters.base import ImagePart, TextPart, ToolCall, ToolResult, ToolSpec

USER = {"role": "user", "content": "hi"}
PART_A = {"type": "text", "text": "a"}


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (2, 2), "red").save(out, "PNG")
    return out.getvalue()


def image(url: str) -> dict:
    return {"type": "image_url", "image_url": {"url": url}}


def function(name: str, **extra) -> dict:
    return {"type": "function", "function": {"name": name, **extra}}


def named(name: str) -> dict:
    return {"type": "function", "function": {"name": name}}


def test_messages_become_instructions_history_and_the_last_user_text():
    call = openai_wire.parse({
        "model": "Mock/mock-small",
        "messages": [
            {"role": "developer", "content": "Be brief."},
            {"role": "user", "content": [PART_A, {"type": "text", "text": "b"}]},
            {"role": "assistant", "content": "ab"},
            {"role": "user", "content": "next"},
        ],
        "max_completion_tokens": 50,
        "user": "someone",
        "stream": True,
        "stream_options": {"include_usage": True},
    })  # fmt: skip
    assert call.instructions == "Be brief." and call.text == "next"
    assert call.history == (("user", "ab"), ("assistant", "ab"))
    assert call.params == {"max_tokens": 50} and call.stream and call.include_usage


def test_images_tools_and_tool_results_make_the_prompt():
    data = base64.b64encode(png()).decode()
    call = openai_wire.parse({
        "model": "m",
        "messages": [
            {"role": "user", "content": [PART_A, image(f"data:image/jpeg;base64,{data}")]},
            {"role": "assistant", "content": None, "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "f", "arguments": '{"x":1}'}}
            ]},
            {"role": "tool", "tool_call_id": "c1", "content": "42"},
        ],
        "tools": [function("f", description="F.", parameters={"type": "object"})],
        "tool_choice": named("f"),
    })  # fmt: skip
    first, asked, answered = call.messages
    assert first.parts == (TextPart("a"), ImagePart("image/png", png()))  # sniffed, not "jpeg"
    assert call.images == (("messages[0].content[1].image_url.url", first.parts[1]),)
    assert asked.tool_calls == (ToolCall("c1", "f", '{"x":1}'),)
    assert answered.role == "tool" and answered.tool_results == (ToolResult("c1", "f", "42"),)
    assert call.tools == (ToolSpec("f", "F.", {"type": "object"}),) and call.tool_choice == "f"
    assert call.history == (("user", "a"), ("assistant", '[tool call f {"x":1}]'))
    assert call.text == "[tool result f: 42]"


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ([], None),
        ({"messages": []}, "messages"),
        ({"messages": [{"role": "robot", "content": "x"}]}, "messages[0].role"),
        ({"messages": [{"role": "tool", "content": "x"}]}, "messages[0].tool_call_id"),
        (
            {"messages": [{"role": "user", "content": [{"type": "image_url"}]}]},
            "messages[0].content[0].image_url.url",
        ),
        (
            {"messages": [{"role": "user", "content": [image("https://example.com/a.png")]}]},
            "messages[0].content[0].image_url.url",
        ),
        (
            {
                "messages": [
                    {"role": "user", "content": [image("data:image/png;base64,bm90IGFuIGltYWdl")]}
                ]
            },
            "messages[0].content[0].image_url.url",
        ),
        ({"messages": [USER], "tools": [{"type": "code_interpreter"}]}, "tools[0]"),
        ({"messages": [USER], "tools": [function("bad name")]}, "tools[0].function.name"),
        (
            {"messages": [USER], "tools": [function("f", parameters=[])]},
            "tools[0].function.parameters",
        ),
        ({"messages": [USER], "tools": [function("f"), function("f")]}, "tools"),
        ({"messages": [USER], "tools": [function("f")], "tool_choice": "required"}, "tool_choice"),
        ({"messages": [USER], "tools": [function("f")], "tool_choice": named("g")}, "tool_choice"),
        ({"messages": [USER, {"role": "assistant", "content": "x"}]}, "messages"),
        ({"messages": [USER], "n": 3}, "n"),
        ({"messages": [USER], "stream": "yes"}, "stream"),
    ],
)
def test_bad_requests_name_the_field(body, param):
    with pytest.raises(ApiError) as refused:
        openai_wire.parse(body)
    assert refused.value.status == 400 and refused.value.param == param


def test_chunks_end_with_usage_only_when_asked():
    call = openai_wire.parse({"model": "m", "messages": [USER]})
    outcome = Outcome("id", "hi", "", 3, 1)
    assert openai_wire.event_chunks(call, Delta("h"), "c", 1, include_usage=False)[0]["choices"][0][
        "delta"
    ] == {"content": "h"}
    plain = openai_wire.event_chunks(call, outcome, "c", 1, include_usage=False)
    assert len(plain) == 1 and plain[0]["choices"][0]["finish_reason"] == "stop"
    with_usage = openai_wire.event_chunks(call, outcome, "c", 1, include_usage=True)
    assert with_usage[-1]["choices"] == [] and with_usage[-1]["usage"]["total_tokens"] == 4
    assert openai_wire.completion(call, outcome)["id"] == "chatcmpl-id"


def test_tool_calls_go_out_whole_in_the_message_and_the_stream():
    call = openai_wire.parse({"model": "m", "messages": [USER]})
    outcome = Outcome("id", "", "", 3, 1, finish_reason="tool_calls",
                      tool_calls=(ToolCall("c1", "f", "{}"),))  # fmt: skip
    message = openai_wire.completion(call, outcome)["choices"][0]["message"]
    assert message["content"] is None
    assert message["tool_calls"] == [
        {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    ]
    chunks = openai_wire.event_chunks(call, outcome, "c", 1, include_usage=False)
    assert chunks[0]["choices"][0]["delta"]["tool_calls"][0]["index"] == 0
    assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"
