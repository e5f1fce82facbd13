"""Web search as a tool (issue 17, docs/web-search.md): search -> scrape -> rerank, with
numbered sources. librechat.yaml's `webSearch` is resolved by endpoints/websearch.py;
this package runs it.

`tool_for(user, config)` is what the tool registry calls for a turn: the user's
`web_search` tool, or None when `interface.webSearch` is false. It reads the user's keys
from the database, so call it from synchronous code (or through sync_to_async).
"""

from __future__ import annotations

from chatapp.tools.base import Tool
from chatapp.tools.websearch import credentials
from chatapp.tools.websearch.tool import NAME, WebSearchTool
from endpoints.endpoint import Config

__all__ = ["NAME", "WebSearchTool", "enabled", "tool_for"]


def enabled(config: Config) -> bool:
    """Whether web search is offered at all (`interface.webSearch`, on unless false)."""
    interface = config.file.interface if config.file else None
    return config.web_search is not None and not (interface and interface.webSearch is False)


def tool_for(user, config: Config) -> Tool | None:
    if not enabled(config):
        return None
    assert config.web_search is not None
    return WebSearchTool(config.web_search, credentials.user_values(user, config.web_search))
