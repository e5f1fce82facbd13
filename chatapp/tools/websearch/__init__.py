"""Web search as a tool (issue 17, docs/web-search.md): search -> scrape -> rerank, with
numbered sources. librechat.yaml's `webSearch` is resolved by endpoints/websearch.py;
this package runs it.

`source(user, conversation)` is registered with the tool registry (chatapp/apps.py):
a conversation whose globe is on (Conversation.web_search) offers the user's `web_search`
tool, `tool_for(user, config)`, which is None when `interface.webSearch` is false. It
reads the user's keys from the database: the registry calls it in the turn's database
thread.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from chatapp.tools.base import Tool
from chatapp.tools.websearch import credentials
from chatapp.tools.websearch.tool import LABELS, NAME, WebSearchTool
from endpoints import config as endpoint_config
from endpoints.endpoint import Config

__all__ = ["NAME", "Status", "WebSearchTool", "enabled", "source", "status", "tool_for"]


@dataclass(frozen=True)
class Status:
    """What the composer shows: the globe, and which keys the user can or must enter."""

    offered: bool
    fields: tuple[tuple[str, str], ...] = ()  # (field, label) the user may enter
    missing: tuple[str, ...] = ()  # labels of keys a search still needs from the user


def enabled(config: Config) -> bool:
    """Whether web search is offered at all (`interface.webSearch`, on unless false)."""
    interface = config.file.interface if config.file else None
    return config.web_search is not None and not (interface and interface.webSearch is False)


def status(user, config: Config) -> Status:
    if not enabled(config):
        return Status(offered=False)
    assert config.web_search is not None
    settings = config.web_search
    values = credentials.user_values(user, settings)
    missing = [
        field
        for choice in (settings.search(values), settings.scraper(values), settings.reranker(values))
        for field in choice.missing
    ]
    fields = tuple((name, LABELS[name]) for name in settings.fields_for_users())
    return Status(True, fields, tuple(LABELS[f] for f in dict.fromkeys(missing)))


def tool_for(user, config: Config) -> Tool | None:
    if not enabled(config):
        return None
    assert config.web_search is not None
    return WebSearchTool(config.web_search, credentials.user_values(user, config.web_search))


def source(user, conversation) -> Iterator[Tool]:
    """The tool registry's source: web search on the turns of a conversation whose globe
    is on."""
    if getattr(conversation, "web_search", False):
        tool = tool_for(user, endpoint_config.current())
        if tool is not None:
            yield tool
