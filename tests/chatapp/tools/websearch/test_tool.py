"""The web_search tool: search -> scrape -> rerank -> numbered sources, and every failure
a clear result for the model with the sources kept in data."""

from __future__ import annotations

from chatapp.tools.base import Tool, ToolContext
from chatapp.tools.websearch.tool import NAME, WebSearchTool
from endpoints.websearch import WebSearch, resolve

CONTEXT = ToolContext(user_id=1)


async def test_the_tool_meets_the_contract(settings_for) -> None:
    tool = WebSearchTool(settings_for(), {})
    assert isinstance(tool, Tool) and tool.server == ""
    assert tool.spec.name == NAME == "web_search"
    assert tool.spec.parameters["required"] == ["query"]


async def test_searxng_alone_answers_with_numbered_sources(settings_for, doubles) -> None:
    env = {"SEARXNG_INSTANCE_URL": f"{doubles.base}/searxng"}
    output = await WebSearchTool(settings_for(env=env), {}).run(
        {"query": "bees winter hive"}, CONTEXT
    )
    assert not output.is_error
    sources = output.data["sources"]
    # The local ordering puts the winter page first although SearXNG listed it second.
    assert [s["url"] for s in sources] == [doubles.page_url("hives"), doubles.page_url("bees")]
    assert sources[0] == {
        "index": 1,
        "url": doubles.page_url("hives"),
        "title": "Keeping hives through winter",
        "snippet": sources[0]["snippet"],
        "ok": True,
        "error": "",
    }
    assert "[1] Keeping hives through winter" in output.text
    assert f"URL: {doubles.page_url('bees')}" in output.text
    assert "colony keeps its hive warm" in output.text
    assert "cite" in output.text.lower()
    assert [p for p, _b, _h in doubles.requests if not p.startswith("/pages/")] == [
        "/searxng/search"
    ]


async def test_a_failed_page_is_a_source_that_says_why(settings_for, doubles) -> None:
    doubles.extra = ("binary",)
    settings = settings_for(searchProvider="searxng", scraperProvider="local", rerankerType="none")
    output = await WebSearchTool(settings, {}).run({"query": "bees"}, CONTEXT)
    failed = [s for s in output.data["sources"] if not s["ok"]]
    assert failed == [
        {
            "index": failed[0]["index"],
            "url": doubles.page_url("binary"),
            "title": "The binary page",
            "snippet": "About binary",
            "ok": False,
            "error": "not a web page (image/png)",
        }
    ]
    assert (
        "(The page could not be read: not a web page (image/png). Search snippet:)" in output.text
    )


async def test_jina_reranks_the_pages(settings_for, doubles) -> None:
    settings = settings_for(
        searchProvider="serper", scraperProvider="firecrawl", rerankerType="jina"
    )
    output = await WebSearchTool(settings, {}).run({"query": "honey winter food"}, CONTEXT)
    assert [s["title"] for s in output.data["sources"]][0] == "Keeping hives through winter"
    assert "/jina/v1/rerank" in doubles.paths()


async def test_a_search_failure_is_an_error_result(settings_for, doubles) -> None:
    doubles.fail["tavily"] = 429
    output = await WebSearchTool(settings_for(searchProvider="tavily"), {}).run(
        {"query": "bees"}, CONTEXT
    )
    assert output.is_error and output.data["sources"] == []
    assert output.text == (
        "Web search failed: the search failed: Tavily is rate limiting requests (HTTP 429). "
        "Tell the user; do not invent sources."
    )


async def test_no_results_is_an_error_result(settings_for, doubles) -> None:
    output = await WebSearchTool(settings_for(searchProvider="searxng"), {}).run(
        {"query": "zebra"}, CONTEXT
    )
    assert output.is_error and "searxng found nothing for 'zebra'" in output.text


async def test_missing_keys_are_named_and_the_users_are_used(doubles) -> None:
    settings, _ = resolve(WebSearch(searchProvider="searxng"), {})
    output = await WebSearchTool(settings, {}).run({"query": "bees"}, CONTEXT)
    assert output.is_error
    assert "web search needs your SearXNG instance URL" in output.text
    no_provider, _ = resolve(WebSearch(), {})
    output = await WebSearchTool(no_provider, {}).run({"query": "bees"}, CONTEXT)
    assert "needs your Serper API key or SearXNG instance URL or Tavily API key" in output.text


async def test_a_users_searxng_url_may_not_reach_inside(doubles) -> None:
    settings, _ = resolve(WebSearch(searchProvider="searxng"), {})
    user = {"searxngInstanceUrl": f"{doubles.base}/searxng"}
    output = await WebSearchTool(settings, user).run({"query": "bees"}, CONTEXT)
    assert output.is_error and "a loopback address" in output.text
    assert doubles.requests == []


async def test_an_empty_query_is_refused() -> None:
    settings, _ = resolve(WebSearch(), {})
    output = await WebSearchTool(settings, {}).run({"query": "  "}, CONTEXT)
    assert output.is_error and "non-empty `query`" in output.text


async def test_a_second_search_in_the_turn_numbers_after_the_first(settings_for, doubles) -> None:
    tool = WebSearchTool(settings_for(searchProvider="searxng", rerankerType="none"), {})
    first = await tool.run({"query": "bees winter hive"}, CONTEXT)
    second = await tool.run({"query": "tides moon"}, CONTEXT)
    assert [s["index"] for s in first.data["sources"]] == [1, 2]
    assert [s["index"] for s in second.data["sources"]] == [3]
    assert "[3] Why the sea has tides" in second.text


def test_the_loop_allows_the_search_scrape_and_rerank_timeouts(settings_for) -> None:
    settings = settings_for(scraperTimeout=3000, searxngSearchOptions={"timeout": 20000})
    assert WebSearchTool(settings, {}).timeout == 20 + 3 + 10 + 5
    assert WebSearchTool(settings_for(), {}).timeout == 10 + 7.5 + 10 + 5
