"""Tool calls on every wire format, through the real SDKs against the mock provider.

The mock scripts tool use (endpoints/mock/replies.py): `tool: NAME {JSON}` is answered
with a call, `tools: A {...}; B {...}` with parallel calls, and a message of results with
`result: ` and their texts in call order.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from endpoints import requests
from endpoints.adapters.base import (
    ChatMessage,
    RequestContext,
    ToolCall,
    ToolCallDelta,
    ToolResult,
    ToolSpec,
    tool_calls,
)
from endpoints.registry import adapter_class

from .conftest import KINDS, MODELS
from .helpers import run

ECHO = ToolSpec("echo", "Say the text back.", {"type": "object", "properties": {"text": {}}})
LOOKUP = ToolSpec("lookup", "Look a word up.", {"type": "object"})


def adapter(endpoint):
    return adapter_class(endpoint.kind)(endpoint, max_retries=0)


def request(endpoint, kind: str, *messages: ChatMessage):
    built = requests.build(endpoint, MODELS[kind], messages, None, RequestContext())
    return replace(built, tools=(ECHO, LOOKUP))


async def calls_of(adapter_, request_) -> tuple[tuple[ToolCall, ...], str | None, str]:
    deltas, finish, text = [], None, ""
    async for event in adapter_.stream(request_):
        if isinstance(event, ToolCallDelta):
            deltas.append(event)
        elif type(event).__name__ == "Finish":
            finish = event.reason
        elif type(event).__name__ == "TextDelta":
            text += event.text
    return tool_calls(deltas), finish, text


@pytest.mark.parametrize("kind", KINDS)
async def test_a_call_streams_its_id_name_and_arguments(endpoint_for, kind):
    endpoint = endpoint_for(kind)
    asked = ChatMessage("user", 'tool: echo {"text": "hi there, friend"}')
    (call,), finish, text = await calls_of(adapter(endpoint), request(endpoint, kind, asked))
    assert (call.name, json.loads(call.arguments)) == ("echo", {"text": "hi there, friend"})
    assert text == ""
    assert call.id
    if kind != "google":  # Gemini ends a call with STOP
        assert finish == "tool_calls"


@pytest.mark.parametrize("kind", KINDS)
async def test_parallel_calls_come_in_order(endpoint_for, kind):
    endpoint = endpoint_for(kind)
    asked = ChatMessage("user", 'tools: echo {"text": "a"}; lookup {"word": "b; c"}')
    calls, _, _ = await calls_of(adapter(endpoint), request(endpoint, kind, asked))
    assert [(c.name, json.loads(c.arguments)) for c in calls] == [
        ("echo", {"text": "a"}),
        ("lookup", {"word": "b; c"}),
    ]
    assert len({c.id for c in calls}) == 2


@pytest.mark.parametrize("kind", KINDS)
async def test_results_go_back_and_the_model_answers_with_them(endpoint_for, mock_provider, kind):
    endpoint = endpoint_for(kind)
    asked = ChatMessage("user", 'tools: echo {"text": "a"}; lookup {}')
    calls = (ToolCall("c1", "echo", '{"text": "a"}'), ToolCall("c2", "lookup", "{}"))
    results = (ToolResult("c1", "echo", "first"), ToolResult("c2", "lookup", "oops", True))
    prompt = (
        asked,
        ChatMessage("assistant", "Let me see.", tool_calls=calls),
        ChatMessage("tool", "", tool_results=results),
    )
    outcome = await run(adapter(endpoint), request(endpoint, kind, *prompt))
    assert outcome.error is None
    assert outcome.text == "result: first; oops"
    assert outcome.finish == "stop"


@pytest.mark.parametrize("kind", KINDS)
async def test_the_tools_are_offered_in_the_wire_format(endpoint_for, mock_provider, kind):
    endpoint = endpoint_for(kind)
    await run(adapter(endpoint), request(endpoint, kind, ChatMessage("user", "hello")))
    body = mock_provider.last_request.body
    if kind in ("openai", "azure"):
        assert body["tools"][0] == {
            "type": "function",
            "function": {
                "name": "echo",
                "description": "Say the text back.",
                "parameters": dict(ECHO.parameters),
            },
        }
    elif kind == "anthropic":
        assert body["tools"][1] == {
            "name": "lookup",
            "description": "Look a word up.",
            "input_schema": {"type": "object"},
        }
    elif kind == "google":
        declared = body["tools"][0]["functionDeclarations"][0]
        # google-genai sends this key in snake case, as it does include_thoughts.
        schema = declared.get("parametersJsonSchema", declared.get("parameters_json_schema"))
        assert (declared["name"], schema) == ("echo", ECHO.parameters)
    else:
        spec = body["toolConfig"]["tools"][0]["toolSpec"]
        assert (spec["name"], spec["inputSchema"]) == ("echo", {"json": dict(ECHO.parameters)})


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "google"])
async def test_arguments_that_are_not_json_arrive_as_sent(endpoint_for, kind):
    """Gemini's wire carries arguments as an object: only the others can send bad JSON."""
    endpoint = endpoint_for(kind)
    asked = ChatMessage("user", "tool: echo {not json")
    (call,), _, _ = await calls_of(adapter(endpoint), request(endpoint, kind, asked))
    assert call.arguments == "{not json"


@pytest.mark.parametrize("kind", KINDS)
async def test_complete_returns_the_calls(endpoint_for, kind):
    endpoint = endpoint_for(kind)
    asked = ChatMessage("user", 'tool: lookup {"word": "x"}')
    completion = await adapter(endpoint).complete(request(endpoint, kind, asked))
    assert [(c.name, json.loads(c.arguments)) for c in completion.tool_calls] == [
        ("lookup", {"word": "x"})
    ]


async def test_the_script_takes_one_line_per_step(endpoint_for):
    endpoint = endpoint_for("openai")
    asked = ChatMessage("user", 'tool: echo {"text": "1"}\ntool: lookup {"word": "2"}')
    first = ToolCall("call_0_0", "echo", '{"text": "1"}')
    prompt = (
        asked,
        ChatMessage("assistant", "", tool_calls=(first,)),
        ChatMessage("tool", "", tool_results=(ToolResult("call_0_0", "echo", "1"),)),
    )
    (call,), _, _ = await calls_of(adapter(endpoint), request(endpoint, "openai", *prompt))
    assert (call.id, call.name) == ("call_1_0", "lookup")
