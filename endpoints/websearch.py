"""librechat.yaml's `webSearch` block: its schema (LibreChat's `webSearchSchema`) and the
settings Parley resolves from it and the environment (docs/web-search.md).

Each key field defaults to LibreChat's `${VAR}` template, so an operator who only sets
`SEARXNG_INSTANCE_URL` in the .env has web search without a `webSearch:` block. A key
field whose variables are unset (or that says `user_provided`) is asked from each user
and stored like their endpoint keys (chatapp/keys.py). A provider left unset is the first
whose keys are there: the operator's first, then the user's; the scraper falls back to
Parley's own `local` scraper and the reranker to `none` (a local relevance ordering), so
SearXNG alone is enough.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from pydantic import Field, field_validator

from endpoints import addresses, interpolate
from endpoints.schema import Strict

# Every key field and LibreChat's default template for it.
KEY_FIELDS: dict[str, str] = {
    "serperApiKey": "${SERPER_API_KEY}",
    "searxngInstanceUrl": "${SEARXNG_INSTANCE_URL}",
    "searxngApiKey": "${SEARXNG_API_KEY}",
    "firecrawlApiKey": "${FIRECRAWL_API_KEY}",
    "firecrawlApiUrl": "${FIRECRAWL_API_URL}",
    "firecrawlVersion": "${FIRECRAWL_VERSION}",
    "tavilyApiKey": "${TAVILY_API_KEY}",
    "tavilySearchUrl": "${TAVILY_SEARCH_URL}",
    "tavilyExtractUrl": "${TAVILY_EXTRACT_URL}",
    "jinaApiKey": "${JINA_API_KEY}",
    "jinaApiUrl": "${JINA_API_URL}",
    "cohereApiKey": "${COHERE_API_KEY}",
}
URL_FIELDS = ("searxngInstanceUrl", "firecrawlApiUrl", "tavilySearchUrl", "tavilyExtractUrl")
URL_FIELDS += ("jinaApiUrl",)
# Fields with a public default when unset: never asked from a user.
DEFAULTS = {
    "firecrawlApiUrl": "https://api.firecrawl.dev",
    "firecrawlVersion": "v2",
    "tavilySearchUrl": "https://api.tavily.com/search",
    "tavilyExtractUrl": "https://api.tavily.com/extract",
    "jinaApiUrl": "https://api.jina.ai/v1/rerank",
}
# Each provider's required fields, in the order a provider left unset is looked for.
SEARCH = {"serper": ("serperApiKey",), "searxng": ("searxngInstanceUrl",)}
SEARCH |= {"tavily": ("tavilyApiKey",)}
SCRAPERS = {"firecrawl": ("firecrawlApiKey",), "serper": ("serperApiKey",)}
SCRAPERS |= {"tavily": ("tavilyApiKey",), "local": ()}
RERANKERS = {"jina": ("jinaApiKey",), "cohere": ("cohereApiKey",), "none": ()}
USER_FIELDS = ("serperApiKey", "searxngInstanceUrl", "searxngApiKey", "firecrawlApiKey")
USER_FIELDS += ("tavilyApiKey", "jinaApiKey", "cohereApiKey")
DEFAULT_SCRAPER_TIMEOUT_MS = 7500


def _key(name: str) -> Any:
    return Field(default=KEY_FIELDS[name])


class FirecrawlLocation(Strict):
    country: str | None = None
    languages: list[str] | None = None


class FirecrawlOptions(Strict):
    """Sent as they are in Firecrawl's /scrape body (its own camelCase names)."""

    formats: list[str] | None = None
    includeTags: list[str] | None = None
    excludeTags: list[str] | None = None
    headers: dict[str, str] | None = None
    waitFor: int | None = Field(default=None, ge=0)
    timeout: int | None = Field(default=None, ge=0)
    maxAge: int | None = Field(default=None, ge=0)
    mobile: bool | None = None
    skipTlsVerification: bool | None = None
    blockAds: bool | None = None
    removeBase64Images: bool | None = None
    parsePDF: bool | None = None
    storeInCache: bool | None = None
    zeroDataRetention: bool | None = None
    location: FirecrawlLocation | None = None
    onlyMainContent: bool | None = None
    changeTrackingOptions: dict[str, Any] | None = None


class SearxngSearchOptions(Strict):
    engines: str | list[str] | None = None  # "google,bing" or a YAML list
    language: str | None = None
    timeRange: Literal["day", "month", "year"] | None = None
    timeout: int | None = Field(default=None, gt=0, le=120000)


class TavilySearchOptions(Strict):
    searchDepth: Literal["basic", "advanced", "fast", "ultra-fast"] | None = None
    maxResults: int | None = Field(default=None, ge=1, le=20)
    includeImages: bool | None = None
    includeAnswer: bool | Literal["basic", "advanced"] | None = None
    includeRawContent: bool | Literal["markdown", "text"] | None = None
    includeDomains: list[str] | None = None
    excludeDomains: list[str] | None = None
    topic: Literal["general", "news", "finance"] | None = None
    timeRange: Literal["day", "week", "month", "year", "d", "w", "m", "y"] | None = None
    includeImageDescriptions: bool | None = None
    includeFavicon: bool | None = None
    chunksPerSource: int | None = Field(default=None, ge=1, le=3)
    safeSearch: bool | None = None
    timeout: int | None = Field(default=None, ge=0, le=120000)


class TavilyScraperOptions(Strict):
    extractDepth: Literal["basic", "advanced"] | None = None
    includeImages: bool | None = None
    includeFavicon: bool | None = None
    format: Literal["markdown", "text"] | None = None
    timeout: int | None = Field(default=None, ge=0, le=120000)


class WebSearch(Strict):
    """`webSearch`, as LibreChat's schema has it; `local` is Parley's own scraper."""

    allowedAddresses: list[str] | None = None
    serperApiKey: str = _key("serperApiKey")
    searxngInstanceUrl: str = _key("searxngInstanceUrl")
    searxngApiKey: str = _key("searxngApiKey")
    firecrawlApiKey: str = _key("firecrawlApiKey")
    firecrawlApiUrl: str = _key("firecrawlApiUrl")
    firecrawlVersion: str = _key("firecrawlVersion")
    tavilyApiKey: str = _key("tavilyApiKey")
    tavilySearchUrl: str = _key("tavilySearchUrl")
    tavilyExtractUrl: str = _key("tavilyExtractUrl")
    jinaApiKey: str = _key("jinaApiKey")
    jinaApiUrl: str = _key("jinaApiUrl")
    cohereApiKey: str = _key("cohereApiKey")
    searchProvider: Literal["serper", "searxng", "tavily"] | None = None
    scraperProvider: Literal["firecrawl", "serper", "tavily", "local"] | None = None
    rerankerType: Literal["jina", "cohere", "none"] | None = None
    scraperTimeout: int | None = Field(default=None, ge=0)
    safeSearch: Literal[0, 1, 2] = 1
    firecrawlOptions: FirecrawlOptions | None = None
    searxngSearchOptions: SearxngSearchOptions | None = None
    tavilySearchOptions: TavilySearchOptions | None = None
    tavilyScraperOptions: TavilyScraperOptions | None = None

    @field_validator("firecrawlVersion")
    @classmethod
    def _known_version(cls, value: str) -> str:
        if not interpolate.references(value) and value.strip() not in ("v1", "v2"):
            raise ValueError("must be v1 or v2 (Firecrawl's API version)")
        return value


@dataclass(frozen=True)
class Choice:
    """One stage's provider and the values it runs with, or the fields still missing."""

    provider: str | None
    values: Mapping[str, str] = field(default_factory=dict)
    missing: tuple[str, ...] = ()  # fields the user has to enter first


@dataclass(frozen=True)
class WebSearchSettings:
    """The resolved block. `system` holds the fields the operator's environment sets;
    `user_fields` the ones each user is asked for."""

    system: Mapping[str, str]
    user_fields: tuple[str, ...]
    search_provider: str | None = None
    scraper_provider: str | None = None
    reranker_type: str | None = None
    scraper_timeout: float = DEFAULT_SCRAPER_TIMEOUT_MS / 1000  # seconds
    safe_search: int = 1
    firecrawl_options: Mapping[str, Any] = field(default_factory=dict)
    searxng_options: Mapping[str, Any] = field(default_factory=dict)
    tavily_search_options: Mapping[str, Any] = field(default_factory=dict)
    tavily_scraper_options: Mapping[str, Any] = field(default_factory=dict)
    allowed_addresses: frozenset[str] = frozenset()
    # Not configurable in LibreChat; a field so tests can point them at their doubles.
    serper_search_url: str = "https://google.serper.dev/search"
    serper_scrape_url: str = "https://scrape.serper.dev"
    cohere_api_url: str = "https://api.cohere.com/v2/rerank"

    def search(self, user: Mapping[str, str]) -> Choice:
        return self._choose(self.search_provider, SEARCH, user, fallback=None)

    def scraper(self, user: Mapping[str, str]) -> Choice:
        return self._choose(self.scraper_provider, SCRAPERS, user, fallback="local")

    def reranker(self, user: Mapping[str, str]) -> Choice:
        return self._choose(self.reranker_type, RERANKERS, user, fallback="none")

    def _choose(
        self,
        configured: str | None,
        providers: Mapping[str, tuple[str, ...]],
        user: Mapping[str, str],
        fallback: str | None,
    ) -> Choice:
        values = {**DEFAULTS, **{k: v for k, v in user.items() if k in self.user_fields}}
        values |= self.system  # the operator's value wins over a user's
        if configured is not None:
            missing = tuple(f for f in providers[configured] if f not in values)
            return Choice(configured, MappingProxyType(values), missing)
        candidates = [name for name, need in providers.items() if need]
        for name in candidates:  # the operator's keys first, then the user's
            if all(f in self.system for f in providers[name]):
                return Choice(name, MappingProxyType(values))
        for name in candidates:
            if all(f in values for f in providers[name]):
                return Choice(name, MappingProxyType(values))
        if fallback is not None:
            return Choice(fallback, MappingProxyType(values))
        asked = tuple(dict.fromkeys(f for name in candidates for f in providers[name]))
        return Choice(None, MappingProxyType(values), asked)

    def fields_for_users(self) -> tuple[str, ...]:
        """The fields the key form offers: the user-askable ones the operator left unset."""
        return tuple(f for f in USER_FIELDS if f in self.user_fields)


def resolve(
    block: WebSearch | None, env: Mapping[str, str]
) -> tuple[WebSearchSettings, list[tuple[str, str]]]:
    """The settings of `block` (LibreChat's defaults when absent) under `env`, and
    (field, reason) for each value that resolved to something unusable (then left unset)."""
    block = block or WebSearch()
    system: dict[str, str] = {}
    asked: list[str] = []
    unusable: list[tuple[str, str]] = []
    for name in KEY_FIELDS:
        raw = getattr(block, name).strip()
        result = interpolate.resolve(raw, env)
        reason = _unusable(name, result.value) if result.complete else None
        if reason:
            unusable.append((name, reason))
        if raw == interpolate.USER_PROVIDED or not result.complete or not result.value or reason:
            asked.append(name)
        else:
            system[name] = result.value
    timeout_ms = block.scraperTimeout or DEFAULT_SCRAPER_TIMEOUT_MS

    def options(section: Strict | None) -> Mapping[str, Any]:
        dumped = section.model_dump(exclude_none=True) if section else {}
        return MappingProxyType(dumped)

    settings = WebSearchSettings(
        system=MappingProxyType(system),
        user_fields=tuple(f for f in asked if f in USER_FIELDS),
        search_provider=block.searchProvider,
        scraper_provider=block.scraperProvider,
        reranker_type=block.rerankerType,
        scraper_timeout=timeout_ms / 1000,
        safe_search=block.safeSearch,
        firecrawl_options=options(block.firecrawlOptions),
        searxng_options=options(block.searxngSearchOptions),
        tavily_search_options=options(block.tavilySearchOptions),
        tavily_scraper_options=options(block.tavilyScraperOptions),
        allowed_addresses=addresses.allowed_set(block.allowedAddresses),
    )
    return settings, unusable


def _unusable(name: str, value: str) -> str | None:
    """Why a resolved value cannot work: a URL that is not http(s), an unknown version."""
    if name == "firecrawlVersion" and value not in ("v1", "v2"):
        return f"{value!r} must be v1 or v2 (Firecrawl's API version)"
    if name in URL_FIELDS and value != interpolate.USER_PROVIDED:
        return interpolate.url_problem(value)
    return None
