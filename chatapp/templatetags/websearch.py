"""`{{ m.tool_steps|web_sources }}`: a message's web search source cards (templates)."""

from __future__ import annotations

from typing import Any

from django import template

from chatapp.tools.websearch.sources import sources_of

register = template.Library()


@register.filter
def web_sources(steps: Any) -> list[dict[str, Any]]:
    return sources_of(steps if isinstance(steps, list | tuple) else None)
