"""The web search doubles on loopback, and settings that point every provider at them."""

from __future__ import annotations

from dataclasses import replace

import pytest

from endpoints.websearch import WebSearch, WebSearchSettings, resolve
from tests.chatapp.tools.websearch.servers import KEYS, Doubles


@pytest.fixture
def doubles():
    server = Doubles().start()
    yield server
    server.stop()


@pytest.fixture
def settings_for(doubles):
    """WebSearchSettings with the operator's keys and URLs all on the doubles."""

    def build(
        allow_pages: bool = True, env: dict | None = None, extra_env: dict | None = None, **block
    ) -> WebSearchSettings:
        base = doubles.base
        environment = {
            "SERPER_API_KEY": KEYS["serper"],
            "SEARXNG_INSTANCE_URL": f"{base}/searxng",
            "TAVILY_API_KEY": KEYS["tavily"],
            "TAVILY_SEARCH_URL": f"{base}/tavily/search",
            "TAVILY_EXTRACT_URL": f"{base}/tavily/extract",
            "FIRECRAWL_API_KEY": KEYS["firecrawl"],
            "FIRECRAWL_API_URL": f"{base}/firecrawl",
            "JINA_API_KEY": KEYS["jina"],
            "JINA_API_URL": f"{base}/jina/v1/rerank",
            "COHERE_API_KEY": KEYS["cohere"],
        }
        if env is not None:
            environment = env
        environment = {**environment, **(extra_env or {})}
        if allow_pages:
            block.setdefault("allowedAddresses", [doubles.host_port])
        settings, problems = resolve(WebSearch.model_validate(block), environment)
        assert problems == []
        return replace(
            settings,
            serper_search_url=f"{base}/serper/search",
            serper_scrape_url=f"{base}/serper/scrape",
            cohere_api_url=f"{base}/cohere/v2/rerank",
        )

    return build
