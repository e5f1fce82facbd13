"""websearch.search against the SearXNG, Serper and Tavily doubles."""

from __future__ import annotations

import httpx
import pytest

from chatapp.tools.websearch.http import Failed
from chatapp.tools.websearch.search import search


async def run(settings, query: str = "bees honey", user: dict | None = None):
    async with httpx.AsyncClient(timeout=5) as client:
        return await search(client, settings, settings.search(user or {}), query)


@pytest.mark.parametrize("provider", ["searxng", "serper", "tavily"])
async def test_each_provider_returns_the_matching_pages(settings_for, doubles, provider) -> None:
    results = await run(settings_for(searchProvider=provider))
    assert [r.url for r in results] == [doubles.page_url("bees"), doubles.page_url("hives")]
    assert results[0].title == "How bees make honey" and "nectar" in results[0].snippet


async def test_searxng_gets_its_options_and_safe_search(settings_for, doubles) -> None:
    options = {"engines": ["google", "bing"], "language": "en", "timeRange": "month"}
    await run(settings_for(searchProvider="searxng", safeSearch=2, searxngSearchOptions=options))
    path, query, _headers = doubles.requests[-1]
    assert path == "/searxng/search"
    assert query["format"] == ["json"] and query["safesearch"] == ["2"]
    assert query["engines"] == ["google,bing"] and query["time_range"] == ["month"]
    assert query["language"] == ["en"]


async def test_searxng_api_key_is_sent_when_set(settings_for, doubles) -> None:
    env = {"SEARXNG_INSTANCE_URL": f"{doubles.base}/searxng", "SEARXNG_API_KEY": "sx"}
    await run(settings_for(env=env))
    assert doubles.requests[-1][2]["X-API-Key"] == "sx"


async def test_tavily_options_go_in_its_own_names(settings_for, doubles) -> None:
    options = {"searchDepth": "advanced", "maxResults": 1, "topic": "news"}
    results = await run(settings_for(searchProvider="tavily", tavilySearchOptions=options))
    body = doubles.requests[-1][1]
    assert body["search_depth"] == "advanced" and body["topic"] == "news"
    assert body["max_results"] == 1 and len(results) == 1


@pytest.mark.parametrize(
    ("provider", "mode", "reason"),
    [
        ("serper", 429, "Serper is rate limiting requests (HTTP 429)"),
        ("searxng", 500, "SearXNG failed on its side (HTTP 500)"),
        ("tavily", "empty", "tavily found nothing for 'bees honey'"),
    ],
)
async def test_failures_are_one_clear_sentence(settings_for, doubles, provider, mode, reason):
    doubles.fail[provider] = mode
    with pytest.raises(Failed, match=reason.replace("(", r"\(").replace(")", r"\)")):
        await run(settings_for(searchProvider=provider))


async def test_a_search_that_does_not_answer_in_time_fails(settings_for, doubles) -> None:
    doubles.fail["searxng"] = "slow"
    settings = settings_for(searchProvider="searxng", searxngSearchOptions={"timeout": 200})
    with pytest.raises(Failed, match="SearXNG did not answer in time"):
        await run(settings)


async def test_a_wrong_key_is_reported(settings_for, doubles) -> None:
    env = {"SERPER_API_KEY": "wrong"}
    with pytest.raises(Failed, match=r"Serper refused the key \(HTTP 401\)"):
        await run(settings_for(env=env))
