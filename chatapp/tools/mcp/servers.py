"""What the rest of Parley asks of MCP: the picker's servers, a turn's tools, a server's
instructions, and the status for /health and check_config.

A chosen server that is down, or lacks the user's values, gives no tools (the picker
says why); it never fails the turn, and servers not chosen are never waited for.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from channels.db import database_sync_to_async

from chatapp.tools.base import ToolContext, ToolOutput
from chatapp.tools.mcp import uservalues
from endpoints import mcpservers
from endpoints.adapters.base import RequestContext, ToolSpec
from endpoints.headers import user_fields
from endpoints.mcpclient import results
from endpoints.mcpclient.connection import Connection, McpFailure
from endpoints.mcpclient.manager import Status, manager
from endpoints.mcpservers import McpConfig, McpServerConfig, UserValues

log = logging.getLogger("parley.mcp")
DELIMITER = "_mcp_"  # LibreChat's: a tool `echo` of server `demo` is `echo_mcp_demo`
MAX_NAME = 64  # the longest function name OpenAI, Anthropic, Gemini and Bedrock all take


@dataclass(frozen=True)
class Choice:
    """A server as the composer's picker shows it to one user."""

    name: str
    label: str
    description: str
    icon: str
    state: str  # connected, connecting, idle, down, unavailable, needs_values
    reason: str = ""
    missing: tuple[str, ...] = ()  # titles of the values the user has yet to enter
    user_vars: Mapping[str, Any] = field(default_factory=dict)
    user_key: bool = False


@dataclass(frozen=True)
class McpTool:
    """One tool of one server, as the tool loop sees it (chatapp.tools.base.Tool)."""

    spec: ToolSpec
    server: str
    remote_name: str
    config: McpServerConfig  # filled for the user it was listed for
    settings: mcpservers.McpSettings

    @property
    def timeout(self) -> float:
        """The tool loop's bound on a run: a reconnect and the call, each under its own
        bound here first, so the clearer message of those comes out."""
        return self.config.init_timeout + self.config.timeout + 5

    async def run(self, arguments: Mapping[str, Any], context: ToolContext) -> ToolOutput:
        try:
            result = await manager().submit(self._call(dict(arguments), context.user_id))
        except McpFailure as failure:
            return ToolOutput(str(failure), is_error=True)
        answer = results.output(result)
        return ToolOutput(answer.text, is_error=answer.is_error, data=answer.data)

    async def _call(self, arguments: dict[str, Any], user_id: int) -> Any:
        connection = await _connection(self.config, McpConfig(settings=self.settings), user_id)
        return await connection.call(self.remote_name, arguments)


def config() -> McpConfig:
    return mcpservers.current()


def chosen(names: Iterable[str], loaded: McpConfig | None = None) -> list[str]:
    """The names a user may pick (servers of the picker), in the order given, once each."""
    menu = {server.name for server in (loaded or config()).menu()}
    return list(dict.fromkeys(name for name in names if isinstance(name, str) and name in menu))


def menu_for(user, loaded: McpConfig | None = None) -> list[Choice]:
    """The picker's servers with their state for `user` (synchronous: pages call it)."""
    loaded = loaded or config()
    return [_choice(user, server) for server in loaded.menu()]


def _choice(user, server: McpServerConfig) -> Choice:
    base = {
        "name": server.name,
        "label": server.label,
        "description": server.description,
        "icon": server.icon_path,
        "user_vars": dict(server.user_vars),
        "user_key": server.user_key,
    }
    if server.unavailable:
        return Choice(**base, state="unavailable", reason=server.unavailable)
    if server.per_user:
        missing = tuple(uservalues.values_for(user, server.name).missing(server))
        if missing:
            return Choice(**base, state="needs_values", missing=missing)
        status = manager().user_status(user.pk, server.name)
    else:
        status = manager().app_status.get(server.name, Status("idle"))
    return Choice(**base, state=status.state, reason=status.reason)


def tools(user, server_names: Iterable[str], conversation_id: str = "") -> list[McpTool]:
    """The tools of the chosen servers that can be reached now, named for the model.

    Synchronous, for the tool registry's source (it runs in the turn's database thread):
    a live connection answers at once; a server not connected yet (a user's first use,
    `startup: false`) is waited for, within its initTimeout, on the MCP loop. A server that
    is down gives no tools.
    """
    loaded = config()
    names = chosen(server_names, loaded)
    servers = [loaded.servers[n] for n in names if not loaded.servers[n].unavailable]
    if not servers:
        return []
    filled = _filled(user, servers, conversation_id)
    waits = [manager().submit_threadsafe(_listing(s, loaded, user.pk)) for s in filled]
    found: list[McpTool] = []
    taken: set[str] = set()
    for server, waiting in zip(filled, waits, strict=True):
        try:
            remote = waiting.result(server.init_timeout + 1)
        except TimeoutError:
            log.warning("MCP server %s: no tool list within its initTimeout", server.name)
            remote = ()
        for tool in remote:
            name = tool_name(tool.name, server.name, taken)
            taken.add(name)
            spec = ToolSpec(name, tool.description, _schema(tool.input_schema))
            found.append(McpTool(spec, server.name, tool.name, server, loaded.settings))
    return found


async def tools_for(user, server_names: Iterable[str]) -> list[McpTool]:
    """`tools` from async code."""
    return await database_sync_to_async(tools)(user, list(server_names))


def source(user, conversation) -> list[McpTool]:
    """The tool registry's source "mcp" (chatapp/apps.py): the tools of the servers the
    conversation chose. A chosen server that is connected answers from its cached list;
    one not connected yet (a user's first turn with it) is waited for within its
    initTimeout, in the turn's database thread: only a turn that chose it waits."""
    names = getattr(conversation, "mcp_servers", None) or ()
    return tools(user, names, str(getattr(conversation, "pk", "") or "")) if names else []


def instructions(user, server_names: Iterable[str]) -> str:
    """The chosen servers' `serverInstructions` for the system prompt: the configured
    text, or (`true`) what the server said at its handshake (once connected)."""
    loaded = config()
    parts = []
    for name in chosen(server_names, loaded):
        server = loaded.servers[name]
        text = server.instructions
        if text is True:
            connection = _live(server, user.pk)
            text = connection.instructions if connection is not None else ""
        if isinstance(text, str) and text.strip():
            parts.append(f"Instructions of the MCP server {server.label}:\n{text.strip()}")
    return "\n\n".join(parts)


def _live(server: McpServerConfig, user_id: int) -> Connection | None:
    if server.per_user:
        connection = manager().users.get((user_id, server.name))
    else:
        connection = manager().app.get(server.name)
    return connection if connection is not None and connection.connected else None


def _filled(
    user, servers: list[McpServerConfig], conversation_id: str = ""
) -> list[McpServerConfig]:
    """Each server filled for `user` (and `{{LIBRECHAT_BODY_CONVERSATIONID}}`); per-user
    ones missing values are left out."""
    context = RequestContext(
        conversation_id=conversation_id,
        user_id=str(user.pk),
        user_email=getattr(user, "email", "") or "",
        user_fields=user_fields(user),
    )
    found = []
    for server in servers:
        given = uservalues.values_for(user, server.name) if server.per_user else UserValues()
        if server.per_user and given.missing(server):
            continue
        found.append(mcpservers.for_user(server, context, given))
    return found


async def _connection(server: McpServerConfig, loaded: McpConfig, user_id: int) -> Connection:
    if server.per_user:
        return await manager().user_connection(user_id, server, loaded)
    return await manager().app_connection(server, loaded)


async def _listing(server: McpServerConfig, loaded: McpConfig, user_id: int) -> tuple:
    try:
        return (await _connection(server, loaded, user_id)).tools
    except McpFailure as failure:
        log.warning("%s", failure)
        return ()


def tool_name(remote: str, server: str, taken: set[str]) -> str:
    """`<tool>_mcp_<server>` in the characters and length every provider accepts."""
    clean = re.sub(r"[^A-Za-z0-9_-]", "_", remote)
    suffix = DELIMITER + server
    name = (clean[: MAX_NAME - len(suffix)] + suffix)[:MAX_NAME]
    count = 2
    while name in taken:
        tail = f"_{count}"
        name = (clean[: MAX_NAME - len(suffix) - len(tail)] + tail + suffix)[:MAX_NAME]
        count += 1
    return name


def _schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The tool's input schema without `$schema`, which some providers refuse."""
    found = {key: value for key, value in schema.items() if key != "$schema"}
    found.setdefault("type", "object")
    found.setdefault("properties", {})
    return found


def health() -> str:
    """One line for /health: the app-level servers' states (a down server is reported,
    not an error: the rest of Parley works without it)."""
    statuses = manager().app_status if config().servers else {}
    if not statuses:
        return "none configured" if not config().servers else "per-user servers only"
    return ", ".join(
        f"{name} {status.state}" + (f" ({status.reason})" if status.reason else "")
        for name, status in statuses.items()
    )[:500]
