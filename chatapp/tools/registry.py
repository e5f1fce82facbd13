"""Which tools a turn offers the model: Parley's built-ins, then every registered source.

A source is a function `(user, conversation) -> Iterable[Tool]` that another feature
registers once at start-up (its AppConfig.ready): the MCP servers a conversation chose,
web search when it is on. It runs in the turn's database thread before the model is
called, so it must answer from what it already knows (cached tool lists), never wait on
a server. A source that fails is logged and skipped: the turn goes on without its tools.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from chatapp.tools.base import Tool
from chatapp.tools.echo import EchoTool
from endpoints.adapters.base import ToolSpec

log = logging.getLogger(__name__)

Source = Callable[[Any, Any], Iterable[Tool]]
_sources: dict[str, Source] = {}


def register(name: str, source: Source) -> None:
    """Add (or replace) the source `name`: "mcp", "web_search", a test's own."""
    _sources[name] = source


def unregister(name: str) -> None:
    _sources.pop(name, None)


@dataclass(frozen=True)
class Toolbox:
    """The tools of one turn, by the name the model calls them."""

    tools: dict[str, Tool] = field(default_factory=dict)

    @property
    def specs(self) -> tuple[ToolSpec, ...]:
        return tuple(tool.spec for tool in self.tools.values())

    @property
    def forced(self) -> str | None:
        """The tool the turn's first model reply must call: the first whose `forced` is true
        (web search when the user switched the globe on). The replies after its result
        choose freely (chatapp.engine.generation)."""
        chosen = (name for name, tool in self.tools.items() if getattr(tool, "forced", False))
        return next(chosen, None)

    def get(self, name: str) -> Tool | None:
        return self.tools.get(name)

    def __bool__(self) -> bool:
        return bool(self.tools)


def offered(user: Any, conversation: Any) -> Toolbox:
    """The tools `user` may have the model call in `conversation`; the first of a name wins."""
    tools: dict[str, Tool] = {}
    for tool in _all(user, conversation):
        name = tool.spec.name
        if name in tools:
            log.warning("tool %r offered twice (server %r): the first is kept", name, tool.server)
            continue
        tools[name] = tool
    return Toolbox(tools)


def _all(user: Any, conversation: Any) -> Iterator[Tool]:
    if settings.TOOLS_ECHO:
        yield EchoTool()
    for name, source in list(_sources.items()):
        try:
            yield from source(user, conversation)
        except Exception:
            log.exception("tool source %s failed: its tools are not offered", name)
