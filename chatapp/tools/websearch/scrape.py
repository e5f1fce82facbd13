"""The scrape stage: each result's page as text, from Firecrawl (v1 or v2), Serper,
Tavily's extract, or Parley's local scraper (fetch.py, then trafilatura). A page that
fails gets its reason; every page not read within scraperTimeout is reported as such."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import trafilatura

from chatapp.tools.websearch.fetch import fetch
from chatapp.tools.websearch.http import Failed, call_json
from endpoints.websearch import Choice, WebSearchSettings


@dataclass(frozen=True)
class Page:
    url: str
    ok: bool
    text: str = ""
    title: str = ""
    error: str = ""


async def scrape(
    client: httpx.AsyncClient, settings: WebSearchSettings, choice: Choice, urls: Sequence[str]
) -> dict[str, Page]:
    """Every URL's page, each read at the same time, none waited for past scraperTimeout."""
    if choice.provider == "tavily":
        one = asyncio.ensure_future(_tavily(client, settings, choice.values, urls))
        done, _ = await asyncio.wait([one], timeout=settings.scraper_timeout)
        if not done:
            one.cancel()
            return {url: _late(url, settings) for url in urls}
        return one.result()
    reader = {"firecrawl": _firecrawl, "serper": _serper, "local": _local}[choice.provider or ""]
    tasks = {
        url: asyncio.ensure_future(_guarded(reader(client, settings, choice.values, url), url))
        for url in urls
    }
    await asyncio.wait(tasks.values(), timeout=settings.scraper_timeout)
    pages = {}
    for url, task in tasks.items():
        if task.done():
            pages[url] = task.result()
        else:
            task.cancel()
            pages[url] = _late(url, settings)
    return pages


def _late(url: str, settings: WebSearchSettings) -> Page:
    seconds = f"{settings.scraper_timeout:g}"
    return Page(url, ok=False, error=f"the page was not read within {seconds} s")


async def _guarded(reading, url: str) -> Page:
    try:
        return await reading
    except Failed as failure:
        return Page(url, ok=False, error=str(failure))


def _page(url: str, text: Any, title: Any, service: str) -> Page:
    if not isinstance(text, str) or not text.strip():
        return Page(url, ok=False, error=f"{service} found no text on the page")
    return Page(url, ok=True, text=text.strip(), title=title if isinstance(title, str) else "")


async def _firecrawl(client, settings, values: Mapping[str, str], url: str) -> Page:
    version = values.get("firecrawlVersion", "v2")
    endpoint = f"{values['firecrawlApiUrl'].rstrip('/')}/{version}/scrape"
    body = {"url": url, "formats": ["markdown"], **settings.firecrawl_options}
    headers = {"Authorization": f"Bearer {values['firecrawlApiKey']}"}
    data = await call_json(client, "Firecrawl", "POST", endpoint, json=body, headers=headers)
    if not isinstance(data, dict) or not data.get("success"):
        error = data.get("error") if isinstance(data, dict) else None
        return Page(url, ok=False, error=f"Firecrawl could not read it ({error or 'no reason'})")
    found = data.get("data") or {}
    metadata = found.get("metadata") or {}
    return _page(url, found.get("markdown"), metadata.get("title"), "Firecrawl")


async def _serper(client, settings, values: Mapping[str, str], url: str) -> Page:
    body = {"url": url, "includeMarkdown": True}
    headers = {"X-API-KEY": values["serperApiKey"]}
    data = await call_json(
        client, "Serper", "POST", settings.serper_scrape_url, json=body, headers=headers
    )
    data = data if isinstance(data, dict) else {}
    metadata = data.get("metadata") or {}
    title = metadata.get("title") or metadata.get("og:title")
    return _page(url, data.get("markdown") or data.get("text"), title, "Serper")


async def _tavily(client, settings, values: Mapping[str, str], urls) -> dict[str, Page]:
    options = settings.tavily_scraper_options
    body: dict[str, Any] = {"urls": list(urls), "format": options.get("format", "markdown")}
    for ours, theirs in (("extractDepth", "extract_depth"), ("includeImages", "include_images")):
        if ours in options:
            body[theirs] = options[ours]
    if "timeout" in options:
        body["timeout"] = options["timeout"] / 1000  # Tavily takes seconds
    headers = {"Authorization": f"Bearer {values['tavilyApiKey']}"}
    try:
        data = await call_json(
            client, "Tavily", "POST", values["tavilyExtractUrl"], json=body, headers=headers
        )
    except Failed as failure:
        return {url: Page(url, ok=False, error=str(failure)) for url in urls}
    data = data if isinstance(data, dict) else {}
    pages = {
        r["url"]: _page(r["url"], r.get("raw_content"), r.get("title"), "Tavily")
        for r in data.get("results") or ()
        if isinstance(r, dict) and r.get("url") in urls
    }
    for failed in data.get("failed_results") or ():
        if isinstance(failed, dict) and failed.get("url") in urls:
            reason = failed.get("error") or "no reason"
            pages[failed["url"]] = Page(failed["url"], ok=False, error=f"Tavily: {reason}")
    nothing = "Tavily returned nothing for it"
    return {url: pages.get(url) or Page(url, ok=False, error=nothing) for url in urls}


async def _local(client, settings, values: Mapping[str, str], url: str) -> Page:
    final, html = await fetch(client, url, settings.allowed_addresses)
    text, title = await asyncio.to_thread(_extract, html, final)
    return _page(url, text, title, "The local scraper")


def _extract(html: str, url: str) -> tuple[str | None, str | None]:
    """The page's main text as Markdown and its title (trafilatura: boilerplate removed)."""
    text = trafilatura.extract(html, url=url, output_format="markdown", include_comments=False)
    metadata = trafilatura.extract_metadata(html, default_url=url)
    return text, metadata.title if metadata else None
