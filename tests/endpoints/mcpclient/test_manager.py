"""The process's MCP connections: app-level servers connect at start-up and come back
after a crash; per-user connections close when idle."""

from __future__ import annotations

import asyncio
import sys
import time

from chatapp.tools.base import ToolContext
from chatapp.tools.mcp import servers
from endpoints import mcpservers
from endpoints.mcpclient.manager import IDLE_SECONDS, manager
from tests.endpoints.mcpclient.conftest import FAULTY, wait_for

FAULTY_SERVER = {"command": sys.executable, "args": [str(FAULTY)], "timeout": 20000}


def test_an_app_server_connects_at_start_up_and_reconnects_after_a_crash(mcp_yaml) -> None:
    mcp_yaml({"faulty": FAULTY_SERVER, "broken": {"command": "/nonexistent/server"}})
    manager().start(mcpservers.current())
    wait_for(lambda: manager().app_status["faulty"].state == "connected")
    wait_for(lambda: manager().app_status["broken"].state == "down")
    assert "the command was not found" in manager().app_status["broken"].reason
    first = manager().app["faulty"]

    (crash,) = [t for t in _tools(["faulty"]) if t.remote_name == "crash"]
    output = asyncio.run(crash.run({}, ToolContext(user_id=1)))
    assert output.is_error and "closed the connection during the call" in output.text

    wait_for(lambda: manager().app.get("faulty") is not first)
    wait_for(lambda: manager().app_status["faulty"].state == "connected")
    (echo,) = [t for t in _tools(["faulty"]) if t.remote_name == "echo"]
    assert asyncio.run(echo.run({"text": "back"}, ToolContext(user_id=1))).text == "back"


def test_a_down_server_does_not_hold_up_the_others(mcp_yaml) -> None:
    mcp_yaml(
        {
            "faulty": FAULTY_SERVER,
            "silent": {"command": "sleep", "args": ["60"], "initTimeout": 60000},
        }
    )
    manager().start(mcpservers.current())
    wait_for(lambda: manager().app_status["faulty"].state == "connected")
    assert manager().app_status["silent"].state == "connecting"
    assert {t.server for t in _tools(["faulty"])} == {"faulty"}


def _tools(names):
    class Owner:
        pk = 1
        email = "a@example.com"

    return servers.tools(Owner(), names)


def test_reap_closes_connections_idle_for_fifteen_minutes(mcp_yaml) -> None:
    mcp_yaml({"faulty": FAULTY_SERVER})
    server = mcpservers.current().servers["faulty"]
    config = mcpservers.current()
    connection = manager().run(manager().user_connection(7, server, config), timeout=60)
    manager().run(manager().reap(time.monotonic() + 60), timeout=30)
    assert manager().users[(7, "faulty")] is connection and connection.connected
    manager().run(manager().reap(time.monotonic() + IDLE_SECONDS + 1), timeout=30)
    assert (7, "faulty") not in manager().users and not connection.connected


def test_reap_leaves_a_connection_still_opening(mcp_yaml) -> None:
    """The reaper runs every minute: one that closed a connection in its handshake failed
    that user's first turn with the server (no tools, 'did not answer within 30 s')."""
    mcp_yaml({"slow": {"command": "sleep", "args": ["60"], "initTimeout": 60000}})
    server = mcpservers.current().servers["slow"]
    opening = manager().submit_threadsafe(
        manager().user_connection(8, server, mcpservers.current())
    )
    wait_for(lambda: (8, "slow") in manager().users)
    connection = manager().users[(8, "slow")]
    manager().run(manager().reap(), timeout=30)
    assert manager().users.get((8, "slow")) is connection and not connection.ended
    assert not opening.done()
    manager().run(connection.close(), timeout=30)
