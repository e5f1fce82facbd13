"""endpoints.websearch: the `webSearch` block validated, resolved, and its providers chosen."""

from __future__ import annotations

import pytest

from endpoints.config import ConfigError, load
from endpoints.websearch import WebSearch, resolve


def test_a_full_block_loads_without_warnings(load_yaml) -> None:
    block = {
        "searxngInstanceUrl": "${SEARXNG_INSTANCE_URL}",
        "searchProvider": "searxng",
        "scraperProvider": "local",
        "rerankerType": "none",
        "scraperTimeout": 3000,
        "safeSearch": 2,
        "allowedAddresses": ["searx.internal:8080"],
        "firecrawlOptions": {"formats": ["markdown"], "onlyMainContent": True, "timeout": 5000},
        "searxngSearchOptions": {"engines": ["google", "bing"], "language": "all"},
        "tavilySearchOptions": {"searchDepth": "basic", "maxResults": 5},
        "tavilyScraperOptions": {"extractDepth": "basic", "format": "markdown"},
    }
    config = load_yaml(
        {"webSearch": block, "interface": {"webSearch": True}},
        {"SEARXNG_INSTANCE_URL": "http://searx.internal:8080"},
    )
    assert [p for p in config.problems if p.level == "warning"] == []
    settings = config.web_search
    assert settings.system["searxngInstanceUrl"] == "http://searx.internal:8080"
    assert settings.scraper_timeout == 3.0 and settings.safe_search == 2
    assert settings.allowed_addresses == frozenset({"searx.internal:8080"})
    assert settings.searxng_options["engines"] == ["google", "bing"]
    assert settings.firecrawl_options == {
        "formats": ["markdown"],
        "onlyMainContent": True,
        "timeout": 5000,
    }


def test_bad_values_are_errors_naming_the_key(yaml_errors) -> None:
    block = {
        "searchProvider": "google",
        "rerankerType": "bm25",
        "safeSearch": 3,
        "scraperTimeout": -1,
        "firecrawlVersion": "v3",
        "tavilySearchOptions": {"maxResults": 50},
    }
    errors = yaml_errors({"webSearch": block})
    assert "webSearch.searchProvider: 'google' must be 'serper', 'searxng' or 'tavily'" in errors
    assert "webSearch.rerankerType: 'bm25' must be 'jina', 'cohere' or 'none'" in errors
    assert "webSearch.safeSearch: 3 must be 0, 1 or 2" in errors
    assert "webSearch.scraperTimeout: -1 must be greater than or equal to 0" in errors
    assert "webSearch.firecrawlVersion: must be v1 or v2 (Firecrawl's API version)" in errors
    assert "webSearch.tavilySearchOptions.maxResults: 50 must be less than or equal to 20" in errors


def test_literal_urls_and_allowed_addresses_are_checked_with_the_line(tmp_path) -> None:
    path = tmp_path / "librechat.yaml"
    path.write_text(
        "version: 1.3.14\nwebSearch:\n  searchProvider: searxng\n  jinaApiUrl: nowhere\n"
        "  allowedAddresses: ['http://x:1/']\n"
    )
    with pytest.raises(ConfigError) as caught:
        load(str(path), {}, required=True)
    lines = [str(p) for p in caught.value.problems]
    assert lines[0].endswith(":4:3: webSearch.jinaApiUrl: 'nowhere' is not an http(s) URL")
    assert ":5:" in lines[1] and "webSearch.allowedAddresses[0]: 'http://x:1/' must be" in lines[1]


def test_an_unknown_key_is_a_warning_with_a_suggestion(warnings_of) -> None:
    assert warnings_of({"webSearch": {"searchProvidr": "serper"}}) == [
        "webSearch.searchProvidr: unknown key: LibreChat ignores it, so does Parley"
        " (did you mean 'searchProvider'?)"
    ]


def test_a_variable_resolving_to_a_bad_url_is_a_warning_and_left_unset(load_yaml) -> None:
    config = load_yaml({"webSearch": {}}, {"SEARXNG_INSTANCE_URL": "searx"})
    warnings = [str(p) for p in config.problems if p.level == "warning"]
    assert any("webSearch.searxngInstanceUrl: 'searx' is not an http(s) URL" in w for w in warnings)
    assert "searxngInstanceUrl" in config.web_search.user_fields


def test_without_a_block_the_default_variables_apply(load_yaml) -> None:
    config = load_yaml({}, {"SERPER_API_KEY": "sk", "JINA_API_KEY": "jk"})
    settings = config.web_search
    assert settings.system == {"serperApiKey": "sk", "jinaApiKey": "jk"}
    assert settings.search({}).provider == "serper"
    assert settings.scraper({}).provider == "serper"
    assert settings.reranker({}).provider == "jina"


def test_every_default_template_is_librechats() -> None:
    block = WebSearch()
    assert block.serperApiKey == "${SERPER_API_KEY}"
    assert block.searxngInstanceUrl == "${SEARXNG_INSTANCE_URL}"
    assert block.searxngApiKey == "${SEARXNG_API_KEY}"
    assert block.firecrawlApiKey == "${FIRECRAWL_API_KEY}"
    assert block.firecrawlApiUrl == "${FIRECRAWL_API_URL}"
    assert block.firecrawlVersion == "${FIRECRAWL_VERSION}"
    assert block.tavilyApiKey == "${TAVILY_API_KEY}"
    assert block.tavilySearchUrl == "${TAVILY_SEARCH_URL}"
    assert block.tavilyExtractUrl == "${TAVILY_EXTRACT_URL}"
    assert block.jinaApiKey == "${JINA_API_KEY}"
    assert block.jinaApiUrl == "${JINA_API_URL}"
    assert block.cohereApiKey == "${COHERE_API_KEY}"
    assert block.safeSearch == 1 and block.scraperTimeout is None


def test_searxng_alone_is_enough() -> None:
    settings, _ = resolve(WebSearch(), {"SEARXNG_INSTANCE_URL": "https://searx.example"})
    assert settings.search({}).provider == "searxng"
    assert settings.scraper({}).provider == "local"
    assert settings.reranker({}).provider == "none"
    assert settings.scraper_timeout == 7.5


def test_unset_keys_are_asked_from_the_user_and_theirs_are_used() -> None:
    settings, _ = resolve(WebSearch(searchProvider="serper", rerankerType="jina"), {})
    assert settings.fields_for_users() == (
        "serperApiKey",
        "searxngInstanceUrl",
        "searxngApiKey",
        "firecrawlApiKey",
        "tavilyApiKey",
        "jinaApiKey",
        "cohereApiKey",
    )
    assert settings.search({}).missing == ("serperApiKey",)
    chosen = settings.search({"serperApiKey": "mine"})
    assert chosen.provider == "serper" and chosen.values["serperApiKey"] == "mine"
    assert settings.reranker({}).missing == ("jinaApiKey",)


def test_the_operators_value_wins_and_urls_are_never_asked() -> None:
    settings, _ = resolve(WebSearch(), {"TAVILY_API_KEY": "op"})
    chosen = settings.search({"tavilyApiKey": "user", "firecrawlApiUrl": "http://x"})
    assert chosen.provider == "tavily" and chosen.values["tavilyApiKey"] == "op"
    assert chosen.values["firecrawlApiUrl"] == "https://api.firecrawl.dev"
    assert "firecrawlApiUrl" not in settings.fields_for_users()


def test_no_search_provider_asks_for_any_of_them() -> None:
    settings, _ = resolve(WebSearch(), {})
    chosen = settings.search({})
    assert chosen.provider is None
    assert chosen.missing == ("serperApiKey", "searxngInstanceUrl", "tavilyApiKey")


def test_user_provided_is_asked_even_when_the_variable_is_set() -> None:
    settings, _ = resolve(WebSearch(jinaApiKey="user_provided"), {"JINA_API_KEY": "x"})
    assert "jinaApiKey" in settings.user_fields and "jinaApiKey" not in settings.system
