"""A whole turn that calls an MCP tool: the conversation's chosen server's tool offered
(the registry's "mcp" source), called by the model through the official openai SDK
against the mock provider, its result sent back and saved as a step; the server's
instructions in the system prompt; a failing server's call an error step, the turn done."""

from __future__ import annotations

import sys

import pytest

from chatapp.engine import turns
from endpoints import config, mcpservers, registry
from endpoints.mcpclient.manager import manager
from tests.chatapp.conftest import ENDPOINT, MODEL, librechat_yaml, settle, use_config
from tests.chatapp.engine.test_turns import start
from tests.endpoints.mcpclient.conftest import FAULTY, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_layer")]


@pytest.fixture
def mcp_chat(settings, tmp_path, mock_provider):
    text = librechat_yaml(mock_provider.openai_url) + (
        "mcpServers:\n"
        f"  faulty: {{command: {sys.executable}, args: ['{FAULTY}'], timeout: 20000,"
        " serverInstructions: true}\n"
    )
    use_config(settings, tmp_path / "librechat.yaml", text)
    manager().start(mcpservers.current())  # as the web process does at start-up
    wait_for(lambda: manager().app_status["faulty"].state == "connected", 60)
    yield
    manager().run(manager().close_all(), timeout=60)
    config.current.cache_clear()  # the next test reads its own configuration, not this one
    registry.current.cache_clear()


def ask(text: str, servers: list[str]) -> turns.Ask:
    return turns.Ask(text=text, endpoint=ENDPOINT, model=MODEL, mcp_servers=servers)


async def test_a_turn_calls_an_mcp_tool_through_the_mock_provider(
    user, mcp_chat, mock_provider
) -> None:
    started, collector = await start(
        user, ask('tool: echo_mcp_faulty {"text": "hello from MCP"}', ["faulty"])
    )
    final = (await collector.until("final"))[-1]["message"]
    await settle()
    assert (final["state"], final["text"]) == ("complete", "result: hello from MCP")
    (step,) = final["steps"]
    assert (step["tool"], step["server"], step["state"]) == ("echo_mcp_faulty", "faulty", "done")
    first = mock_provider.requests[0].body
    offered = {tool["function"]["name"] for tool in first["tools"]}
    assert {"echo_mcp_faulty", "hang_mcp_faulty", "crash_mcp_faulty"} <= offered
    system = first["messages"][0]
    assert system["role"] == "system"
    assert "Faulty server: every tool fails its own way." in system["content"]


async def test_a_server_dying_mid_call_is_an_error_step_and_the_turn_ends(
    user, mcp_chat, mock_provider
) -> None:
    started, collector = await start(user, ask("tool: crash_mcp_faulty {}", ["faulty"]))
    final = (await collector.until("final"))[-1]["message"]
    await settle()
    assert final["state"] == "complete"
    (step,) = final["steps"]
    assert step["state"] == "error"
    assert "closed the connection during the call" in step["result"]
    assert final["text"].startswith("result: MCP server 'faulty'")


async def test_a_conversation_without_servers_is_offered_none(user, mcp_chat, mock_provider):
    started, collector = await start(user, ask("echo: plain", []))
    final = (await collector.until("final"))[-1]["message"]
    await settle()
    assert final["text"] == "plain"
    assert "tools" not in mock_provider.requests[0].body
