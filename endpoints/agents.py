"""The limits of a tool-calling turn, from `endpoints.agents` (LibreChat's agent limits)."""

from __future__ import annotations

from dataclasses import dataclass

from endpoints.endpoint import Config

RECURSION_LIMIT = 25  # LibreChat's default
MAX_TOOL_CALL_ARG_BYTES = 65_536  # LibreChat's default


@dataclass(frozen=True)
class ToolLimits:
    recursion_limit: int  # model calls in one turn, the first included
    max_argument_bytes: int  # a call's arguments longer than this are refused


def tool_limits(config: Config) -> ToolLimits:
    """`recursionLimit` (25 by default) capped by `maxRecursionLimit`, and
    `maxToolCallArgBytes`."""
    section = config.file.endpoints if config.file else None
    agents = section.agents if section else None
    limit = (agents.recursionLimit if agents else None) or RECURSION_LIMIT
    cap = agents.maxRecursionLimit if agents else None
    arguments = (agents.maxToolCallArgBytes if agents else None) or MAX_TOOL_CALL_ARG_BYTES
    return ToolLimits(min(limit, cap) if cap else limit, arguments)
