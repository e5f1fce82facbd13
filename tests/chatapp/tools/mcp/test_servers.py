"""What Parley asks of MCP: the picker, a turn's tools, instructions, /health; each
user's values reach only their own connection."""

from __future__ import annotations

import asyncio
import sys

import pytest

from chatapp.tools.base import ToolContext
from chatapp.tools.mcp import servers, uservalues
from endpoints import mcpservers
from endpoints.mcpclient.manager import manager
from tests.endpoints.mcpclient.conftest import EVERYTHING, FAULTY, wait_for

pytestmark = pytest.mark.django_db
PER_USER = {
    "command": sys.executable,
    "args": [str(FAULTY)],
    "env": {"TOKEN": "{{TOKEN}}"},
    "customUserVars": {"TOKEN": {"title": "Your token", "description": "From your profile"}},
    "title": "Faulty",
}


def run(tool, user) -> str:
    return asyncio.run(tool.run({}, ToolContext(user_id=user.pk))).text


def test_user_values_reach_only_their_owners_connection(mcp_yaml, user, stranger) -> None:
    mcp_yaml({"mine": PER_USER})
    server = mcpservers.current().servers["mine"]
    assert [c.state for c in servers.menu_for(user)] == ["needs_values"]
    assert servers.menu_for(user)[0].missing == ("Your token",)
    assert servers.tools(user, ["mine"]) == []  # nothing to connect with yet

    uservalues.save(user, server, {"TOKEN": "alice-token"}, "")
    uservalues.save(stranger, server, {"TOKEN": "mallory-token"}, "")
    assert uservalues.values_for(user, "mine").variables == {"TOKEN": "alice-token"}
    assert uservalues.values_for(stranger, "mine").variables == {"TOKEN": "mallory-token"}

    (alice_whoami,) = [t for t in servers.tools(user, ["mine"]) if t.remote_name == "whoami"]
    (mallory_whoami,) = [t for t in servers.tools(stranger, ["mine"]) if t.remote_name == "whoami"]
    assert run(alice_whoami, user) == "alice-token"
    assert run(mallory_whoami, stranger) == "mallory-token"
    assert set(manager().users) == {(user.pk, "mine"), (stranger.pk, "mine")}
    assert [c.state for c in servers.menu_for(user)] == ["connected"]

    uservalues.revoke(stranger, "mine")
    assert uservalues.values_for(user, "mine").variables == {"TOKEN": "alice-token"}
    assert servers.menu_for(stranger)[0].state == "needs_values"


def test_values_are_sealed_and_a_blank_field_keeps_the_saved_one(mcp_yaml, user) -> None:
    from chatapp.models import McpUserValues

    mcp_yaml({"mine": PER_USER})
    server = mcpservers.current().servers["mine"]
    uservalues.save(user, server, {"TOKEN": "s3cret-value"}, "")
    uservalues.save(user, server, {"TOKEN": "  "}, "")
    assert uservalues.values_for(user, "mine").variables == {"TOKEN": "s3cret-value"}
    assert "s3cret" not in McpUserValues.objects.get(owner=user).sealed


def test_a_server_without_user_values_refuses_them(mcp_yaml, user) -> None:
    mcp_yaml({"plain": {"command": "x"}})
    with pytest.raises(ValueError, match="takes no values"):
        uservalues.save(user, mcpservers.current().servers["plain"], {"A": "b"}, "")


def test_tools_are_named_for_the_model_with_their_server(mcp_yaml, user) -> None:
    mcp_yaml(
        {
            "everything": {
                "command": "node",
                "args": [str(EVERYTHING)],
                "serverInstructions": True,
            },
            "hidden": {"command": "node", "chatMenu": False},
        }
    )
    tools = servers.tools(user, ["everything", "hidden", "unknown"])
    names = {tool.spec.name for tool in tools}
    assert {"echo_mcp_everything", "get-sum_mcp_everything"} <= names
    echo = next(t for t in tools if t.spec.name == "echo_mcp_everything")
    assert echo.server == "everything" and "$schema" not in echo.spec.parameters
    assert echo.spec.parameters["properties"]["message"]["type"] == "string"
    output = asyncio.run(echo.run({"message": "hi"}, ToolContext(user_id=user.pk)))
    assert output.text == "Echo: hi"
    assert servers.instructions(user, ["everything"]).startswith(
        "Instructions of the MCP server everything:\n# Everything Server"
    )
    wait_for(lambda: "everything connected" in servers.health())


def test_tool_names_fit_every_provider() -> None:
    taken: set[str] = set()
    first = servers.tool_name("read.file" * 10, "files", taken)
    taken.add(first)
    second = servers.tool_name("read.file" * 10, "files", taken)
    assert len(first) == len(second) == 64
    assert first.endswith("_mcp_files") and second.endswith("_2_mcp_files")
    assert first != second and "." not in first


def test_configured_instructions_and_the_picker(mcp_yaml, user) -> None:
    mcp_yaml(
        {
            "docs": {
                "command": "x",
                "serverInstructions": "Cite the page.",
                "title": "Docs",
                "description": "The manual",
                "iconPath": "/static/docs.svg",
            },
            "ws": {"url": "wss://mcp.example/ws"},
        }
    )
    assert servers.instructions(user, ["docs"]) == (
        "Instructions of the MCP server Docs:\nCite the page."
    )
    docs, ws = servers.menu_for(user)
    assert (docs.label, docs.description, docs.icon, docs.state) == (
        "Docs",
        "The manual",
        "/static/docs.svg",
        "idle",
    )
    assert ws.state == "unavailable" and "websocket" in ws.reason
    assert servers.chosen(["ws", "docs", "docs", "nope"]) == ["ws", "docs"]
