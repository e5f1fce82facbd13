"""The one contract of a tool: a spec the model sees and an async run that never raises
for the tool's own failures (they come back as an error output the model and user see)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from endpoints.adapters.base import ToolSpec


@dataclass(frozen=True)
class ToolContext:
    """Who the tool runs for: tools that act per user (MCP user keys, web search keys)
    read their credentials by this, never from the model's arguments."""

    user_id: int
    conversation_id: str = ""
    message_id: str = ""


@dataclass(frozen=True)
class ToolOutput:
    """What a tool returns. `text` goes back to the model; `data` is kept with the step
    for the UI, exports and shared links (web search's sources, say)."""

    text: str
    is_error: bool = False
    data: Mapping[str, Any] = field(default_factory=dict)


@runtime_checkable
class Tool(Protocol):
    """Optional attributes the tool loop reads: `timeout` (seconds, instead of
    PARLEY_TOOL_TIMEOUT) and `forced` (the turn's first reply must call it)."""

    spec: ToolSpec
    server: str  # the MCP server's name; "" for Parley's built-ins

    async def run(self, arguments: Mapping[str, Any], context: ToolContext) -> ToolOutput:
        """Run once; a failure of the tool itself is ToolOutput(is_error=True)."""
        ...
