"""The `web_search` tool: search, scrape, rerank, then text for the model with numbered
sources [1]..[n]; the sources themselves go in ToolOutput.data for the message's source
cards, exports and shared links. It never raises for a provider's failure: the model gets
a clear result and each failed source says why."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from chatapp.tools.base import ToolContext, ToolOutput
from chatapp.tools.websearch.fetch import SETTING
from chatapp.tools.websearch.http import Failed
from chatapp.tools.websearch.rerank import rerank
from chatapp.tools.websearch.scrape import Page, scrape
from chatapp.tools.websearch.search import Result, search
from endpoints import addresses
from endpoints.adapters.base import ToolSpec
from endpoints.websearch import WebSearchSettings

NAME = "web_search"
PAGES = 5  # results read and offered to the model
EXCERPT_CHARS = 1500
CALL_TIMEOUT = 10.0  # seconds for a search or rerank call
MARGIN = 5.0  # seconds for everything between the calls
SPEC = ToolSpec(
    name=NAME,
    description=(
        "Search the web for current information and read the best pages. Returns numbered "
        "sources; cite the ones you use as [1], [2] right after the statement they support."
    ),
    parameters={
        "type": "object",
        "properties": {"query": {"type": "string", "description": "What to search for"}},
        "required": ["query"],
    },
)
LABELS = {
    "serperApiKey": "Serper API key",
    "searxngInstanceUrl": "SearXNG instance URL",
    "searxngApiKey": "SearXNG API key",
    "firecrawlApiKey": "Firecrawl API key",
    "tavilyApiKey": "Tavily API key",
    "jinaApiKey": "Jina API key",
    "cohereApiKey": "Cohere API key",
}


class WebSearchTool:
    """One user's web search for one turn: the operator's settings and the user's keys.
    A second search in the same turn numbers its sources after the first's, so every [n]
    in the answer names one source."""

    spec = SPEC
    server = ""
    # Offered only on the turns the user switched the globe on for: their first reply searches.
    forced = True

    def __init__(self, settings: WebSearchSettings, user_values: Mapping[str, str]) -> None:
        self.settings = settings
        self.user_values = dict(user_values)
        self.numbered = 0  # sources already numbered in this turn

    @property
    def timeout(self) -> float:
        """The longest a run takes, which the tool loop allows it (chatapp/engine/steps.py):
        the search's timeout, scraperTimeout, the reranker's, and a margin."""
        options = (self.settings.searxng_options, self.settings.tavily_search_options)
        search = max([CALL_TIMEOUT] + [o["timeout"] / 1000 for o in options if o.get("timeout")])
        return search + self.settings.scraper_timeout + CALL_TIMEOUT + MARGIN

    async def run(self, arguments: Mapping[str, Any], context: ToolContext) -> ToolOutput:
        query = arguments.get("query")
        if not isinstance(query, str) or not query.strip():
            return _failure("", "web_search needs a non-empty `query` argument")
        query = query.strip()
        choice = self.settings.search(self.user_values)
        if choice.missing:
            return _failure(query, _missing(choice.missing, any_of=choice.provider is None))
        async with httpx.AsyncClient(timeout=CALL_TIMEOUT) as client:
            try:
                await self._check_user_searxng(choice.values)
                results = (await search(client, self.settings, choice, query))[:PAGES]
            except Failed as failure:
                return _failure(query, f"the search failed: {failure}")
            pages = await self._pages(client, results)
            documents = [_document(result, pages[result.url]) for result in results]
            reranker = self.settings.reranker(self.user_values)
            order, note = await rerank(client, self.settings, reranker, query, documents)
        first = self.numbered + 1
        sources = [
            _source(n, results[i], pages[results[i].url]) for n, i in enumerate(order, first)
        ]
        self.numbered += len(sources)
        text = _for_model(query, sources, [documents[i] for i in order], note)
        return ToolOutput(text, data={"query": query, "sources": sources, "note": note})

    async def _check_user_searxng(self, values: Mapping[str, str]) -> None:
        """A SearXNG URL the user entered may not reach inside the network (SSRF)."""
        url = values.get("searxngInstanceUrl")
        if url and "searxngInstanceUrl" not in self.settings.system:
            try:
                await addresses.acheck(url, self.settings.allowed_addresses, SETTING)
            except addresses.Refused as refusal:
                raise Failed(str(refusal)) from refusal

    async def _pages(self, client: httpx.AsyncClient, results: list[Result]) -> dict[str, Page]:
        scraper = self.settings.scraper(self.user_values)
        urls = [r.url for r in results]
        if scraper.missing:
            reason = _missing(scraper.missing, any_of=False)
            return {url: Page(url, ok=False, error=reason) for url in urls}
        return await scrape(client, self.settings, scraper, urls)


def _missing(fields: tuple[str, ...], any_of: bool) -> str:
    names = [LABELS.get(f, f) for f in fields]
    which = " or ".join(names) if any_of else " and ".join(names)
    return f"web search needs your {which}: enter it in Settings, under Web search keys"


def _failure(query: str, reason: str) -> ToolOutput:
    text = f"Web search failed: {reason}. Tell the user; do not invent sources."
    return ToolOutput(text, is_error=True, data={"query": query, "sources": [], "error": reason})


def _document(result: Result, page: Page) -> str:
    return page.text if page.ok else result.snippet


def _source(number: int, result: Result, page: Page) -> dict[str, Any]:
    return {
        "index": number,
        "url": result.url,
        "title": page.title or result.title or result.url,
        "snippet": result.snippet,
        "ok": page.ok,
        "error": page.error,
    }


def _for_model(query: str, sources: list[dict], documents: list[str], note: str) -> str:
    lines = [
        f"Web search results for {query!r}. Cite a source by its number in brackets, "
        "like [1], right after the statement it supports.",
    ]
    if note:
        lines.append(f"(Reranking: {note}.)")
    for source, document in zip(sources, documents, strict=True):
        lines += ["", f"[{source['index']}] {source['title']}", f"URL: {source['url']}"]
        if not source["ok"]:
            lines.append(f"(The page could not be read: {source['error']}. Search snippet:)")
        lines.append(document[:EXCERPT_CHARS].strip() or "(no text)")
    return "\n".join(lines)
