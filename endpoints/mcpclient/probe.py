"""check_config's look at the MCP servers: each app-level server is connected once (all
at the same time, each within its initTimeout), its tools counted, and closed."""

from __future__ import annotations

import asyncio

from endpoints import mcpservers
from endpoints.adapters.base import RequestContext
from endpoints.mcpclient.connection import Connection, McpFailure
from endpoints.mcpservers import McpConfig, McpServerConfig, UserValues


async def _one(server: McpServerConfig, config: McpConfig) -> tuple[bool, str]:
    """(up, what to print)."""
    if server.unavailable:
        return False, f"unavailable: {server.unavailable}"
    if server.per_user:
        return True, "per user: connects when a user picks it"
    connection = Connection(
        mcpservers.for_user(server, RequestContext(), UserValues()), config.settings
    )
    try:
        await connection.open()
    except McpFailure:
        return False, f"down: {connection.error}"
    count = len(connection.tools)
    await connection.close()
    return True, f"ok: {count} tool(s)"


async def _all(config: McpConfig) -> dict[str, tuple[bool, str]]:
    names = list(config.servers)
    found = await asyncio.gather(*(_one(config.servers[n], config) for n in names))
    return dict(zip(names, found, strict=True))


def probe(config: McpConfig) -> dict[str, tuple[bool, str]]:
    """Each server's (up, status line), by name."""
    return asyncio.run(_all(config)) if config.servers else {}
