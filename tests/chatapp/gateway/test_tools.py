"""Client tools through the /v1 API (chatapp/gateway/tools.py): the client's `tools` reach
the provider, a reply that calls them comes back to the client in OpenAI's and Anthropic's
shapes (stream and not), unrun, and the client's tool results go back to the provider in
its next request; through the official SDKs against a live Parley and the mock provider,
whose `tool: NAME {json}` script calls the tool (endpoints/mock/replies.py)."""

from __future__ import annotations

import anthropic
import openai
import pytest

from accounts.models import Transaction
from chatapp.models import ToolStep
from tests.chatapp.gateway.conftest import MODEL_ID, eventually

pytestmark = pytest.mark.django_db(transaction=True)
ASK = 'tool: lookup {"city": "Oslo"}'
WEATHER = {
    "type": "object",
    "properties": {"city": {"type": "string"}},
    "required": ["city"],
}
TOOLS = [
    {
        "type": "function",
        "function": {"name": "lookup", "description": "The weather.", "parameters": WEATHER},
    }
]


def client(base: str, key: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=base, api_key=key, max_retries=0, timeout=30)


def streamed_calls(stream) -> tuple[list[dict], str]:
    """The tool calls a stream's deltas make (joined as the SDK's users join them)."""
    calls: dict[int, dict] = {}
    reason = ""
    for chunk in stream:
        for choice in chunk.choices:
            for piece in choice.delta.tool_calls or ():
                call = calls.setdefault(piece.index, {"id": "", "name": "", "arguments": ""})
                call["id"] = call["id"] or piece.id or ""
                call["name"] = call["name"] or piece.function.name or ""
                call["arguments"] += piece.function.arguments or ""
            reason = choice.finish_reason or reason
    return [calls[i] for i in sorted(calls)], reason


@pytest.mark.parametrize("stream", [False, True])
def test_a_tool_call_goes_back_to_the_client_and_its_result_to_the_provider(
    live, gateway, user, make_key, stream
):
    sdk = client(live, make_key(user))
    messages = [{"role": "user", "content": ASK}]
    answer = sdk.chat.completions.create(
        model=MODEL_ID, messages=messages, tools=TOOLS, stream=stream
    )
    if stream:
        calls, reason = streamed_calls(answer)
    else:
        reason = answer.choices[0].finish_reason
        calls = [
            {"id": c.id, "name": c.function.name, "arguments": c.function.arguments}
            for c in answer.choices[0].message.tool_calls
        ]
    assert reason == "tool_calls"
    assert [(c["name"], c["arguments"]) for c in calls] == [("lookup", '{"city": "Oslo"}')]
    offered = gateway.last_request.body["tools"]
    assert offered == [{"type": "function", "function": {**TOOLS[0]["function"]}}]
    assert not ToolStep.objects.exists()  # Parley ran nothing: the client runs its tools
    wire = [{"id": c["id"], "type": "function", "function": {
        "name": c["name"], "arguments": c["arguments"]}} for c in calls]  # fmt: skip
    messages += [
        {"role": "assistant", "content": None, "tool_calls": wire},
        {"role": "tool", "tool_call_id": calls[0]["id"], "content": "Sunny, 21 C"},
    ]
    done = sdk.chat.completions.create(model=MODEL_ID, messages=messages, tools=TOOLS)
    assert done.choices[0].message.content == "result: Sunny, 21 C"
    assert done.choices[0].finish_reason == "stop"
    sent = gateway.last_request.body["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "tool"]
    assert sent[1]["tool_calls"][0]["id"] == sent[2]["tool_call_id"] == calls[0]["id"]
    eventually(lambda: Transaction.objects.filter(user=user).count() >= 4)


def test_anthropic_tool_use_and_tool_result_blocks(live, gateway, user, make_key):
    claude = anthropic.Anthropic(
        base_url=live.removesuffix("/v1"), api_key=make_key(user), max_retries=0
    )
    tool = {"name": "lookup", "description": "The weather.", "input_schema": WEATHER}
    messages = [{"role": "user", "content": ASK}]
    with claude.messages.stream(
        model=MODEL_ID, max_tokens=200, messages=messages, tools=[tool]
    ) as stream:
        asked = stream.get_final_message()
    assert asked.stop_reason == "tool_use"
    use = next(block for block in asked.content if block.type == "tool_use")
    assert (use.name, use.input) == ("lookup", {"city": "Oslo"})
    messages += [
        {"role": "assistant", "content": [b.model_dump() for b in asked.content]},
        {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": use.id, "content": "Rain"}]},
    ]  # fmt: skip
    done = claude.messages.create(model=MODEL_ID, max_tokens=200, messages=messages, tools=[tool])
    assert done.content[0].text == "result: Rain" and done.stop_reason == "end_turn"
    assert gateway.last_request.body["tools"][0]["function"]["name"] == "lookup"


def test_a_named_tool_choice_is_passed_on(live, gateway, user, make_key):
    """OpenAI's `{type: function, function: {name}}` and Anthropic's `{type: tool, name}`
    become the provider's own tool_choice (endpoints ChatRequest.tool_choice); the mock,
    forced, calls the tool with the last user message as its required string."""
    named = {"type": "function", "function": {"name": "lookup"}}
    answer = client(live, make_key(user)).chat.completions.create(
        model=MODEL_ID, messages=[{"role": "user", "content": "Bergen"}], tools=TOOLS,
        tool_choice=named,
    )  # fmt: skip
    assert gateway.last_request.body["tool_choice"] == named
    call = answer.choices[0].message.tool_calls[0]
    assert (call.function.name, call.function.arguments) == ("lookup", '{"city": "Bergen"}')
    claude = anthropic.Anthropic(
        base_url=live.removesuffix("/v1"), api_key=make_key(user), max_retries=0
    )
    tool = {"name": "lookup", "input_schema": WEATHER}
    forced = claude.messages.create(
        model=MODEL_ID, max_tokens=100, messages=[{"role": "user", "content": "Tromso"}],
        tools=[tool], tool_choice={"type": "tool", "name": "lookup"},
    )  # fmt: skip
    assert forced.stop_reason == "tool_use" and forced.content[-1].input == {"city": "Tromso"}
    with pytest.raises(openai.BadRequestError) as refused:
        client(live, make_key(user)).chat.completions.create(
            model=MODEL_ID, messages=[{"role": "user", "content": "x"}], tools=TOOLS,
            tool_choice="required",
        )  # fmt: skip
    assert refused.value.body["param"] == "tool_choice"
