"""A message's web search sources, from its tool steps: what the source cards under an
answer show and its [n] markers link to. Steps are ToolStep rows or the dicts that frames,
exports and shared snapshots carry, so a shared link shows the same cards; the Markdown
and text exports list them under the answer, numbered as its [n] are."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from chatapp.tools.websearch.tool import NAME

MARKDOWN_SPECIAL = re.compile(r"[\\`*_{}\[\]<>()#+!|~]")


def sources_of(steps: Iterable[Any] | None) -> list[dict[str, Any]]:
    """Every web_search source of `steps`, in number order, each number once; a URL that
    is not http(s) is left out (it could not be a link)."""
    found: dict[int, dict[str, Any]] = {}
    for step in steps or ():
        tool, data = _field(step, "tool"), _field(step, "data")
        if tool != NAME or not isinstance(data, Mapping):
            continue
        for source in data.get("sources") or ():
            if _usable(source):
                found.setdefault(source["index"], _card(source))
    return [found[number] for number in sorted(found)]


def markdown_lines(steps: Iterable[Any] | None) -> list[str]:
    """The sources as a Markdown list after a "Sources" line; titles are escaped, so a
    page cannot add its own Markdown to an export."""
    lines = [
        f"- [{s['index']}] [{_escaped(s['title'])}](<{_link(s['url'])}>){_failed(s)}"
        for s in sources_of(steps)
    ]
    return ["Sources:", "", *lines, ""] if lines else []


def text_lines(steps: Iterable[Any] | None) -> list[str]:
    """The sources as plain lines: `[n] title - url`."""
    lines = [f"[{s['index']}] {s['title']} - {s['url']}{_failed(s)}" for s in sources_of(steps)]
    return ["Sources:", *lines, ""] if lines else []


def _failed(source: Mapping[str, Any]) -> str:
    return "" if source["ok"] else f" (not read: {source['error'] or 'unknown error'})"


def _escaped(text: str) -> str:
    return MARKDOWN_SPECIAL.sub(r"\\\g<0>", " ".join(text.split()))


def _link(url: str) -> str:
    """A URL fit for Markdown's `<...>` destination: no angle brackets or spaces."""
    return url.replace("<", "%3C").replace(">", "%3E").replace(" ", "%20")


def _field(step: Any, name: str) -> Any:
    return step.get(name) if isinstance(step, Mapping) else getattr(step, name, None)


def _usable(source: Any) -> bool:
    if not isinstance(source, Mapping) or not isinstance(source.get("index"), int):
        return False
    url = source.get("url")
    return isinstance(url, str) and urlsplit(url).scheme in ("http", "https")


def _card(source: Mapping[str, Any]) -> dict[str, Any]:
    url = source["url"]
    return {
        "index": source["index"],
        "url": url,
        "host": urlsplit(url).hostname or url,
        "title": str(source.get("title") or url),
        "snippet": str(source.get("snippet") or ""),
        "ok": bool(source.get("ok", True)),
        "error": str(source.get("error") or ""),
    }
