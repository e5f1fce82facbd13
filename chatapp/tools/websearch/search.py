"""The search stage: a query to a list of results, from Serper, SearXNG or Tavily, each
called as its public API documents it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from chatapp.tools.websearch.http import Failed, call_json
from endpoints.websearch import Choice, WebSearchSettings

MAX_RESULTS = 8
SEARXNG_TIMEOUT = 10.0  # seconds, LibreChat's default for searxngSearchOptions.timeout
SERPER_SAFE = {0: "off", 1: "active", 2: "active"}


@dataclass(frozen=True)
class Result:
    url: str
    title: str
    snippet: str


async def search(
    client: httpx.AsyncClient, settings: WebSearchSettings, choice: Choice, query: str
) -> list[Result]:
    """Up to MAX_RESULTS results with an http(s) URL; Failed when the provider fails or
    finds nothing."""
    runner = {"serper": _serper, "searxng": _searxng, "tavily": _tavily}[choice.provider or ""]
    results = [r for r in await runner(client, settings, choice.values, query) if _web(r.url)]
    if not results:
        raise Failed(f"{choice.provider} found nothing for {query!r}")
    return results[:MAX_RESULTS]


def _web(url: str) -> bool:
    return url.startswith(("http://", "https://"))


def _text(value: Any) -> str:
    return re.sub(r"\s+", " ", value).strip() if isinstance(value, str) else ""


async def _serper(client, settings, values: Mapping[str, str], query: str) -> list[Result]:
    body = {"q": query, "num": MAX_RESULTS, "safe": SERPER_SAFE[settings.safe_search]}
    headers = {"X-API-KEY": values["serperApiKey"]}
    data = await call_json(
        client, "Serper", "POST", settings.serper_search_url, json=body, headers=headers
    )
    items = data.get("organic") if isinstance(data, dict) else None
    return [
        Result(_text(i.get("link")), _text(i.get("title")), _text(i.get("snippet")))
        for i in items or ()
        if isinstance(i, dict)
    ]


async def _searxng(client, settings, values: Mapping[str, str], query: str) -> list[Result]:
    options = settings.searxng_options
    params: dict[str, Any] = {"q": query, "format": "json", "safesearch": settings.safe_search}
    params["language"] = options.get("language", "all")
    engines = options.get("engines")
    if engines:
        params["engines"] = engines if isinstance(engines, str) else ",".join(engines)
    if options.get("timeRange"):
        params["time_range"] = options["timeRange"]
    headers = {"X-API-Key": values["searxngApiKey"]} if values.get("searxngApiKey") else {}
    timeout = options.get("timeout", SEARXNG_TIMEOUT * 1000) / 1000
    url = values["searxngInstanceUrl"].rstrip("/") + "/search"
    data = await call_json(
        client, "SearXNG", "GET", url, params=params, headers=headers, timeout=timeout
    )
    items = data.get("results") if isinstance(data, dict) else None
    return [
        Result(_text(i.get("url")), _text(i.get("title")), _text(i.get("content")))
        for i in items or ()
        if isinstance(i, dict)
    ]


TAVILY_NAMES = {
    "searchDepth": "search_depth",
    "maxResults": "max_results",
    "includeImages": "include_images",
    "includeAnswer": "include_answer",
    "includeRawContent": "include_raw_content",
    "includeDomains": "include_domains",
    "excludeDomains": "exclude_domains",
    "topic": "topic",
    "timeRange": "time_range",
    "includeImageDescriptions": "include_image_descriptions",
    "includeFavicon": "include_favicon",
    "chunksPerSource": "chunks_per_source",
    "safeSearch": "safe_search",
}


async def _tavily(client, settings, values: Mapping[str, str], query: str) -> list[Result]:
    options = settings.tavily_search_options
    body = {"query": query, "max_results": 5}
    body |= {TAVILY_NAMES[k]: v for k, v in options.items() if k in TAVILY_NAMES}
    headers = {"Authorization": f"Bearer {values['tavilyApiKey']}"}
    timeout = options["timeout"] / 1000 if options.get("timeout") else None
    kwargs: dict[str, Any] = {"json": body, "headers": headers}
    if timeout:
        kwargs["timeout"] = timeout
    data = await call_json(client, "Tavily", "POST", values["tavilySearchUrl"], **kwargs)
    items = data.get("results") if isinstance(data, dict) else None
    return [
        Result(_text(i.get("url")), _text(i.get("title")), _text(i.get("content")))
        for i in items or ()
        if isinstance(i, dict)
    ]
