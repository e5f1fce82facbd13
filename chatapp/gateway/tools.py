"""A `/v1` request's own tools and the messages that carry their calls and results.

The client defines the tools and runs them (Parley is the gateway): their definitions
pass to the provider in an allow-listed shape (a name, a description, a JSON Schema
object: endpoints ToolSpec), a reply that calls them goes back to the client, and the
client's next request carries the results. Both wires build their messages with these
helpers; `transcript` is the text a saved conversation keeps of a message.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

from chatapp.gateway.errors import bad_request
from endpoints.adapters.base import ChatMessage, ToolCall, ToolResult, ToolSpec

NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
MAX_TOOLS = 128
MAX_SCHEMA_BYTES = 64 * 1024


def spec(item: dict[str, Any], where: str, schema_field: str = "parameters") -> ToolSpec:
    """One tool from its `name`, `description` and JSON Schema (`schema_field`)."""
    name, description = item.get("name"), item.get("description")
    if not isinstance(name, str) or not NAME.fullmatch(name):
        message = f"`{where}.name` must be 1 to 64 letters, digits, underscores or dashes."
        raise bad_request(message, f"{where}.name")
    if description is not None and not isinstance(description, str):
        raise bad_request(f"`{where}.description` must be a string.", f"{where}.description")
    schema = item.get(schema_field)
    schema = {"type": "object", "properties": {}} if schema is None else schema
    if not isinstance(schema, dict) or len(json.dumps(schema)) > MAX_SCHEMA_BYTES:
        at = f"{where}.{schema_field}"
        message = f"`{at}` must be a JSON Schema object of at most {MAX_SCHEMA_BYTES} bytes."
        raise bad_request(message, at)
    return ToolSpec(name, description or "", schema)


def listed(items: Any, where: str) -> list[Any]:
    """A request's `tools`: a list of at most MAX_TOOLS (None: none)."""
    if items is None:
        return []
    if not isinstance(items, list) or len(items) > MAX_TOOLS:
        raise bad_request(f"`{where}` must be a list of at most {MAX_TOOLS} tools.", where)
    return items


def unique(specs: list[ToolSpec], where: str) -> tuple[ToolSpec, ...]:
    names = [item.name for item in specs]
    if len(set(names)) != len(names):
        raise bad_request(f"`{where}`: two tools have the same name.", where)
    return tuple(specs)


def chosen(name: Any, specs: tuple[ToolSpec, ...], where: str) -> str:
    """A `tool_choice` naming one tool: it must be one of the request's."""
    if not isinstance(name, str) or name not in {item.name for item in specs}:
        raise bad_request(f"`{where}` must name one of the request's tools.", where)
    return name


def call(call_id: Any, name: Any, arguments: str, where: str) -> ToolCall:
    if not isinstance(call_id, str) or not call_id or not isinstance(name, str) or not name:
        raise bad_request(f"`{where}` needs an id and a name.", where)
    return ToolCall(call_id, name, arguments)


def result(said: list[ChatMessage], call_id: Any, content: str, where: str, error=False) -> None:
    """Add a tool result to `said`: one message of role "tool" holds a step's results, in
    order (endpoints ChatMessage); its call must be in an earlier assistant message."""
    calls = {c.id: c.name for m in said for c in m.tool_calls}
    if not isinstance(call_id, str) or call_id not in calls:
        raise bad_request(f"`{where}` must be the id of an earlier tool call.", where)
    found = ToolResult(call_id, calls[call_id], content, bool(error))
    if said and said[-1].role == "tool":
        said[-1] = replace(said[-1], tool_results=(*said[-1].tool_results, found))
    else:
        said.append(ChatMessage("tool", "", tool_results=(found,)))


def transcript(message: ChatMessage) -> str:
    """The text a saved conversation keeps of a message: its text, then its tool calls and
    results as lines (Parley's messages are the user's or the assistant's)."""
    lines = [message.text] if message.text else []
    lines += [f"[tool call {c.name} {c.arguments}]" for c in message.tool_calls]
    lines += [f"[tool result {r.name}: {r.content}]" for r in message.tool_results]
    return "\n".join(lines)


def saved(messages: tuple[ChatMessage, ...]) -> tuple[tuple[str, str], ...]:
    """Each message as a saved conversation keeps it: (user or assistant, its transcript)."""
    return tuple(
        ("assistant" if m.role == "assistant" else "user", transcript(m)) for m in messages
    )
