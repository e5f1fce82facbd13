"""Tool calls on every wire format, through the real SDKs against the mock provider.

The mock scripts tool use (endpoints/mock/replies.py): `tool: NAME {JSON}` is answered
with a call, `tools: A {...}; B {...}` with parallel calls, and a message of results with
`result: ` and their texts in call order.
"""

from __future__ import annotations

import base64
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
from endpoints.endpoint import ModelList
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


SEARCH = ToolSpec(
    "web_search",
    "Search the web.",
    {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]},
)
FORCED_ON_THE_WIRE = {
    "openai": ("tool_choice", {"type": "function", "function": {"name": "web_search"}}),
    "azure": ("tool_choice", {"type": "function", "function": {"name": "web_search"}}),
    "anthropic": ("tool_choice", {"type": "tool", "name": "web_search"}),
    "bedrock": ("toolConfig", {"toolChoice": {"tool": {"name": "web_search"}}}),
}


def forcing(endpoint, kind: str, *messages: ChatMessage, params=None):
    built = requests.build(endpoint, MODELS[kind], messages, params, RequestContext())
    return replace(built, tools=(ECHO, SEARCH), tool_choice="web_search")


def sent_choice(kind: str, body: dict):
    """The forced choice as the request carried it (None: no forcing)."""
    if kind == "google":
        config = body.get("toolConfig", body.get("tool_config")) or {}
        calling = config.get("functionCallingConfig", config.get("function_calling_config"))
        return calling and {k: calling[k] for k in sorted(calling)}
    if kind == "bedrock":
        choice = body["toolConfig"].get("toolChoice")
        return choice and {"toolChoice": choice}
    return body.get("tool_choice")


@pytest.mark.parametrize("kind", KINDS)
async def test_a_forced_tool_goes_in_the_wire_format_and_the_model_calls_it(
    endpoint_for, mock_provider, kind
):
    endpoint = endpoint_for(kind)
    asked = ChatMessage("user", "what happened in Lisbon today")
    (call,), _, text = await calls_of(adapter(endpoint), forcing(endpoint, kind, asked))
    assert (call.name, json.loads(call.arguments)) == (
        "web_search",
        {"query": "what happened in Lisbon today"},
    )
    assert text == ""
    choice = sent_choice(kind, mock_provider.last_request.body)
    if kind == "google":
        names = choice.get("allowedFunctionNames", choice.get("allowed_function_names"))
        assert (choice["mode"], names) == ("ANY", ["web_search"])
    else:
        assert choice == FORCED_ON_THE_WIRE[kind][1]


@pytest.mark.parametrize("kind", KINDS)
async def test_a_forced_tool_wins_over_the_script(endpoint_for, kind):
    endpoint = endpoint_for(kind)
    asked = ChatMessage("user", 'tool: echo {"text": "no"}')
    (call,), _, _ = await calls_of(adapter(endpoint), forcing(endpoint, kind, asked))
    assert call.name == "web_search"


@pytest.mark.parametrize("kind", KINDS)
async def test_unforced_after_the_results_the_model_answers(endpoint_for, mock_provider, kind):
    """The turn forces the first reply only: with the results back it must be free to answer."""
    endpoint = endpoint_for(kind)
    call = ToolCall("c1", "web_search", '{"query": "q"}')
    prompt = (
        ChatMessage("user", "q"),
        ChatMessage("assistant", "", tool_calls=(call,)),
        ChatMessage("tool", "", tool_results=(ToolResult("c1", "web_search", "[1] a page"),)),
    )
    free = replace(forcing(endpoint, kind, *prompt), tool_choice=None)
    outcome = await run(adapter(endpoint), free)
    assert (outcome.error, outcome.text) == (None, "result: [1] a page")
    assert not sent_choice(kind, mock_provider.last_request.body)


@pytest.mark.parametrize("kind", KINDS)
async def test_a_choice_of_a_tool_not_offered_is_not_sent(endpoint_for, mock_provider, kind):
    endpoint = endpoint_for(kind)
    request_ = replace(forcing(endpoint, kind, ChatMessage("user", "hi")), tool_choice="nope")
    outcome = await run(adapter(endpoint), request_)
    assert outcome.error is None
    assert not sent_choice(kind, mock_provider.last_request.body)


@pytest.mark.parametrize("kind", ["anthropic", "bedrock"])
async def test_claude_thinking_is_not_forced(endpoint_for, mock_provider, kind):
    """Claude refuses a forced tool while thinking: the tool stays offered, the choice free."""
    endpoint = endpoint_for(kind)
    thinking = {"thinking": True, "thinkingBudget": 1024}
    asked = ChatMessage("user", "q")
    outcome = await run(adapter(endpoint), forcing(endpoint, kind, asked, params=thinking))
    assert outcome.error is None
    body = mock_provider.last_request.body
    assert not sent_choice(kind, body)
    fields = body["additionalModelRequestFields"] if kind == "bedrock" else body
    assert fields["thinking"]["type"] == "enabled"
    assert "tools" in (body["toolConfig"] if kind == "bedrock" else body)


def native_tools(kind: str, body: dict) -> list:
    """The request's tools that are not Parley's function tools."""
    if kind == "google":
        return [t for t in body["tools"] if "functionDeclarations" not in t]
    if kind == "anthropic":
        return [t for t in body["tools"] if "input_schema" not in t]
    return [t for t in body.get("tools", ()) if t.get("type") != "function"]


@pytest.mark.parametrize("kind", ["openai", "azure", "anthropic", "google"])
async def test_native_search_goes_beside_parleys_tool(endpoint_for, mock_provider, kind):
    """addParams `web_search: true` (as LibreChat configures it) and an operator's own
    native tool reach the provider with Parley's forced web_search tool."""
    native = {"type": "web_search_preview"} if kind in ("openai", "azure") else None
    add = {"web_search": True, **({"tools": [native]} if native else {})}
    endpoint = endpoint_for(kind, add_params=add)
    asked = ChatMessage("user", "news today")
    (call,), _, _ = await calls_of(adapter(endpoint), forcing(endpoint, kind, asked))
    assert call.name == "web_search"
    body = mock_provider.last_request.body
    if kind in ("openai", "azure"):
        assert body["web_search_options"] == {} and native_tools(kind, body) == [native]
        assert [t["function"]["name"] for t in body["tools"][1:]] == ["echo", "web_search"]
    elif kind == "anthropic":
        # Anthropic wants tool names unique: the native search steps aside on a turn that
        # offers Parley's web_search, and comes back on the turns that do not.
        assert native_tools(kind, body) == []
        assert [t["name"] for t in body["tools"]] == ["echo", "web_search"]
    else:
        assert native_tools(kind, body) == [{"googleSearch": {}}]
    assert "web_search" not in body
    choice = sent_choice(kind, body)
    assert choice and "web_search" in json.dumps(choice)


async def test_anthropic_native_search_is_sent_on_turns_without_the_globe(
    endpoint_for, mock_provider
):
    endpoint = endpoint_for("anthropic", add_params={"web_search": True})
    plain = request(endpoint, "anthropic", ChatMessage("user", "hello"))  # echo and lookup
    outcome = await run(adapter(endpoint), plain)
    assert outcome.error is None
    body = mock_provider.last_request.body
    assert body["tools"][0] == {"type": "web_search_20250305", "name": "web_search"}
    assert [t["name"] for t in body["tools"][1:]] == ["echo", "lookup"]


async def test_anthropics_own_search_is_no_call_for_parley(endpoint_for, mock_provider):
    """The provider runs its server tool: its streamed input is not a call Parley runs."""
    endpoint = endpoint_for("anthropic", add_params={"web_search": True})
    asked = request(endpoint, "anthropic", ChatMessage("user", "echo: Found it."))
    calls, finish, text = await calls_of(adapter(endpoint), asked)
    assert (calls, finish, text) == ((), "stop", "Found it.")
    sent = mock_provider.last_request.body["tools"][0]
    assert sent["type"] == "web_search_20250305"


def gemini_loop(endpoint, call: ToolCall):
    prompt = (
        ChatMessage("user", 'tool: echo {"text": "a"}'),
        ChatMessage("assistant", "", tool_calls=(call,)),
        ChatMessage("tool", "", tool_results=(ToolResult(call.id, "echo", "a"),)),
    )
    return request(endpoint, "google", *prompt)


async def test_gemini_signs_a_call_and_wants_the_signature_back(endpoint_for, mock_provider):
    """Gemini 2.5 and 3 put a thoughtSignature on a call; 3 refuses the loop's next request
    without it. The adapter keeps it with the call and sends it back with it."""
    endpoint = endpoint_for("google")
    asked = ChatMessage("user", 'tool: echo {"text": "a"}')
    (call,), _, _ = await calls_of(adapter(endpoint), request(endpoint, "google", asked))
    assert base64.b64decode(call.signature).startswith(b"mock-thought:")
    outcome = await run(adapter(endpoint), gemini_loop(endpoint, call))
    assert (outcome.error, outcome.text) == (None, "result: a")
    (sent,) = mock_provider.last_request.body["contents"][1]["parts"]
    signature = sent.get("thoughtSignature", sent.get("thought_signature"))
    assert base64.urlsafe_b64decode(signature) == base64.b64decode(call.signature)


async def test_gemini_refuses_a_call_sent_back_without_its_signature(endpoint_for):
    endpoint = endpoint_for("google")
    asked = ChatMessage("user", 'tool: echo {"text": "a"}')
    (call,), _, _ = await calls_of(adapter(endpoint), request(endpoint, "google", asked))
    outcome = await run(adapter(endpoint), gemini_loop(endpoint, replace(call, signature="")))
    assert outcome.error is not None and outcome.error.status == 400
    assert "missing a thought_signature" in outcome.error.user_message


async def test_gemini_signs_the_first_of_parallel_calls(endpoint_for):
    endpoint = endpoint_for("google")
    asked = ChatMessage("user", 'tools: echo {"text": "a"}; lookup {}')
    (first, second), _, _ = await calls_of(adapter(endpoint), request(endpoint, "google", asked))
    assert first.signature and not second.signature


async def test_bedrock_forces_only_models_that_take_a_forced_choice(endpoint_for, mock_provider):
    """AWS: Converse's toolChoice `tool` is for Claude, Mistral Large and Nova only."""
    llama = "meta.llama3-1-70b-instruct-v1:0"
    endpoint = endpoint_for("bedrock", models=ModelList(default=(llama,)))
    built = requests.build(endpoint, llama, [ChatMessage("user", "q")], None, RequestContext())
    outcome = await run(
        adapter(endpoint), replace(built, tools=(SEARCH,), tool_choice="web_search")
    )
    assert outcome.error is None
    config = mock_provider.last_request.body["toolConfig"]
    assert "toolChoice" not in config and config["tools"][0]["toolSpec"]["name"] == "web_search"
