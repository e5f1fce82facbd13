"""The tool loop of a generation, driven through the engine against the mock provider:
model → tool calls → tools in parallel → results → model, every step saved and published;
stop; the recursion limit; tools that misbehave."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import Any

import pytest

from chatapp.engine import turns
from chatapp.models import Message, ToolStep
from chatapp.tools import registry
from chatapp.tools.base import ToolContext, ToolOutput
from endpoints.adapters.base import ToolSpec
from tests.chatapp.conftest import ENDPOINT, MODEL, librechat_yaml, settle, use_config
from tests.chatapp.engine.test_turns import start

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_layer")]


@pytest.fixture
def echo(settings):
    settings.TOOLS_ECHO = True


class Misbehaving:
    """A test tool doing what its `how` says: crash, hang, flood, return no text."""

    server = "test-server"

    def __init__(self, how: str) -> None:
        self.how = how
        self.spec = ToolSpec(how, f"A tool that {how}s.", {"type": "object"})
        self.timeout = 0.2

    async def run(self, arguments: Mapping[str, Any], context: ToolContext) -> ToolOutput:
        if self.how == "crash":
            raise RuntimeError("boom")
        if self.how == "hang":
            await asyncio.Event().wait()
        if self.how == "flood":
            return ToolOutput("x" * (50 * 1024 * 1024))
        return ToolOutput(b"\x89PNG")  # type: ignore[arg-type]


@pytest.fixture
def misbehaving():
    tools = [Misbehaving(how) for how in ("crash", "hang", "flood", "binary")]
    registry.register("test-misbehaving", lambda user, conversation: tools)
    yield
    registry.unregister("test-misbehaving")


def ask(text: str, **fields: Any) -> turns.Ask:
    return turns.Ask(text=text, endpoint=ENDPOINT, model=MODEL, **fields)


def of_type(seen: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [e for e in seen if e["type"] == kind]


def configure(settings, tmp_path, mock_provider, section: str) -> None:
    """The test endpoint's librechat.yaml with `section` added under `endpoints`."""
    text = librechat_yaml(mock_provider.openai_url)
    use_config(settings, tmp_path / "librechat.yaml", text.replace("endpoints:\n", section, 1))


async def test_a_tool_call_runs_and_the_model_answers_with_its_result(user, chat_endpoint, echo):
    started, collector = await start(user, ask('tool: echo {"text": "hello tools"}'))
    seen = await collector.until("final")
    await settle()
    final = seen[-1]["message"]
    assert (final["state"], final["text"]) == ("complete", "result: hello tools")
    step_frames = of_type(seen, "step")
    assert [f["step"]["state"] for f in step_frames] == ["running", "done"]
    (step,) = final["steps"]
    assert (step["tool"], step["server"], step["result"]) == ("echo", "", "hello tools")
    assert json.loads(step["arguments"]) == {"text": "hello tools"}
    assert step["duration_ms"] is not None
    saved = await ToolStep.objects.aget(message_id=final["id"])
    assert (saved.tool, saved.state, saved.result) == ("echo", "done", "hello tools")
    # deltas come after the step: the text is the second model call's
    assert seen.index(step_frames[-1]) < seen.index(of_type(seen, "delta")[0])


async def test_parallel_calls_and_several_rounds(user, chat_endpoint, echo, mock_provider):
    script = 'tools: echo {"text": "a"}; echo {"text": "b"}\ntool: echo {"text": "c"}'
    started, collector = await start(user, ask(script))
    final = (await collector.until("final"))[-1]["message"]
    await settle()
    assert final["text"] == "result: c"
    assert [(s["round"], s["result"]) for s in final["steps"]] == [(0, "a"), (0, "b"), (1, "c")]
    assert len(mock_provider.requests) == 3  # three model calls
    saved = await Message.objects.aget(pk=final["id"])
    usage = final["usage"]
    assert saved.prompt_tokens == usage["prompt_tokens"] > 0  # every call's tokens summed


async def test_each_misbehaviour_ends_in_an_error_step(
    user, chat_endpoint, misbehaving, settings, tmp_path, mock_provider
):
    # A short cut keeps the model's answer (every result, echoed) short.
    configure(
        settings, tmp_path, mock_provider, "endpoints:\n  all:\n    maxToolResultChars: 100\n"
    )
    script = "tools: crash {}; hang {}; flood {}; binary {}; nothing {}; crash {not json"
    started, collector = await start(user, ask(script))
    final = (await collector.until("final"))[-1]["message"]
    await settle()
    assert final["state"] == "complete"
    by_tool = [(s["tool"], s["state"], s["truncated"]) for s in final["steps"]]
    assert by_tool == [
        ("crash", "error", False),
        ("hang", "error", False),
        ("flood", "done", True),
        ("binary", "error", False),
        ("nothing", "error", False),
        ("crash", "error", False),
    ]
    results = [s["result"] for s in final["steps"]]
    assert results[0] == "The tool failed: RuntimeError."
    assert results[1] == "The tool did not answer within 0.2 seconds."
    assert results[2] == "x" * 100 + "\n[Truncated: the first 100 of 52428800 characters.]"
    assert results[3] == "The tool returned something other than text."
    assert results[4] == "No tool named 'nothing' is available."
    assert results[5] == "The arguments are not a JSON object."
    assert final["text"].startswith("result: The tool failed")


async def test_max_tool_result_chars_cuts_what_the_model_gets(
    user, chat_endpoint, echo, settings, tmp_path, mock_provider
):
    configure(settings, tmp_path, mock_provider, "endpoints:\n  all:\n    maxToolResultChars: 5\n")
    started, collector = await start(user, ask('tool: echo {"text": "abcdefghij"}'))
    final = (await collector.until("final"))[-1]["message"]
    await settle()
    (step,) = final["steps"]
    assert (step["truncated"], step["result_chars"]) == (True, 10)
    assert step["result"].startswith("abcde\n[Truncated: the first 5 of 10 characters.]")


async def test_the_recursion_limit_ends_the_turn(
    user, chat_endpoint, echo, settings, tmp_path, mock_provider
):
    configure(settings, tmp_path, mock_provider, "endpoints:\n  agents:\n    recursionLimit: 3\n")
    script = "\n".join(f'tool: echo {{"text": "{i}"}}' for i in range(5))
    started, collector = await start(user, ask(script))
    seen = await collector.until("error")
    await settle()
    final = of_type(seen, "final")[-1]["message"]
    assert of_type(seen, "error")[-1]["code"] == "recursion_limit"
    assert final["state"] == "error" and len(final["steps"]) == 2
    assert len(mock_provider.requests) == 3
    assert "after 3 model calls (the recursion limit)" in final["error"]
    saved = await Message.objects.aget(pk=final["id"])
    assert saved.state == "error" and await saved.steps.acount() == 2


async def test_the_next_turn_sends_the_earlier_calls_and_results(
    user, chat_endpoint, echo, mock_provider
):
    """As LibreChat does: an earlier answer's tool calls and results go back with it."""
    started, collector = await start(user, ask('tool: echo {"text": "hello tools"}'))
    first = (await collector.until("final"))[-1]["message"]
    await settle()
    (step,) = first["steps"]
    conversation = started.turn.conversation.id
    again = ask("echo: again", conversation_id=conversation, parent_id=first["id"])
    _, second = await start(user, again)
    await second.until("final")
    await settle()
    sent = mock_provider.last_request.body["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "tool", "assistant", "user"]
    call = {"id": step["call_id"], "type": "function", "function": {"name": "echo"}}
    assert sent[1]["tool_calls"] == [
        {**call, "function": {"name": "echo", "arguments": step["arguments"]}}
    ]
    assert (sent[2]["tool_call_id"], sent[2]["content"]) == (step["call_id"], "hello tools")
    assert (sent[3]["content"], sent[4]["content"]) == ("result: hello tools", "echo: again")


async def test_a_tool_the_next_turn_does_not_offer_goes_back_as_text(
    user, chat_endpoint, echo, mock_provider, settings
):
    """Anthropic and Bedrock refuse tool blocks for a tool not offered: they become text."""
    started, collector = await start(user, ask('tool: echo {"text": "hello tools"}'))
    first = (await collector.until("final"))[-1]["message"]
    await settle()
    settings.TOOLS_ECHO = False
    conversation = started.turn.conversation.id
    again = ask("echo: again", conversation_id=conversation, parent_id=first["id"])
    _, second = await start(user, again)
    await second.until("final")
    await settle()
    sent = mock_provider.last_request.body["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "user"]
    assert "tool_calls" not in sent[1]
    assert '[Tool call: echo {"text": "hello tools"}]\n[Result: hello tools]' in sent[1]["content"]
    assert sent[1]["content"].endswith("result: hello tools")


async def test_stop_cancels_a_running_tool(user, chat_endpoint, echo):
    started, collector = await start(user, ask('tool: echo {"text": "slow", "delay": 60}'))
    await collector.until("step")
    await turns.stop(user, started.turn.conversation.id)
    final = (await collector.until("final"))[-1]["message"]
    await settle()
    assert final["state"] == "aborted"
    (step,) = final["steps"]
    assert (step["state"], step["result"]) == ("cancelled", "Stopped before the tool finished.")
    saved = await ToolStep.objects.aget(message_id=final["id"])
    assert saved.state == "cancelled"


async def test_tools_are_not_offered_unless_configured(user, chat_endpoint, mock_provider):
    started, collector = await start(user, ask("hello"))
    await collector.until("final")
    await settle()
    assert "tools" not in mock_provider.last_request.body


async def test_the_balance_counts_every_model_call(user, chat_endpoint, echo, settings):
    # The pre-flight lets the turn in (about 312 credits); its calls spend more.
    settings.CHECK_BALANCE, settings.START_BALANCE = True, 400
    script = "\n".join(f'tool: echo {{"text": "{i}"}}' for i in range(5))
    started, collector = await start(user, ask(script))
    seen = await collector.until("error")
    await settle()
    final = of_type(seen, "final")[-1]["message"]
    assert of_type(seen, "error")[-1]["code"] == "balance"
    assert final["state"] == "error" and 1 <= len(final["steps"]) < 5
    assert "balance ran out" in final["error"]


class Lookup:
    """A tool the turn must call first, as web search is when the globe is on."""

    server = ""
    forced = True
    spec = ToolSpec(
        "lookup",
        "Look it up.",
        {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]},
    )

    async def run(self, arguments: Mapping[str, Any], context: ToolContext) -> ToolOutput:
        return ToolOutput(f"found {arguments['query']}")


async def test_a_forced_tool_is_called_first_then_the_model_answers(
    user, chat_endpoint, mock_provider
):
    registry.register("test-forced", lambda user, conversation: [Lookup()])
    try:
        started, collector = await start(user, ask("bees in winter"))
        final = (await collector.until("final"))[-1]["message"]
        await settle()
    finally:
        registry.unregister("test-forced")
    assert (final["state"], final["text"]) == ("complete", "result: found bees in winter")
    assert [s["tool"] for s in final["steps"]] == ["lookup"]
    first, second = (r.body for r in mock_provider.requests)
    assert first["tool_choice"] == {"type": "function", "function": {"name": "lookup"}}
    assert "tool_choice" not in second  # free to answer once the result is in
    assert [t["function"]["name"] for t in second["tools"]] == ["lookup"]
