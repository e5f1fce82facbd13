"""Which backend answers, chosen by the settings (SEARCH, MEILI_*) and the database vendor."""

from __future__ import annotations

import logging
from functools import cache

from django.conf import settings
from django.db import connection

from chatapp.search.base import Index, Searcher, SearchUnavailable
from chatapp.search.meili import MeiliSearch
from chatapp.search.postgres import PostgresSearch
from chatapp.search.sqlite import SqliteSearch

log = logging.getLogger(__name__)


def meili_configured() -> bool:
    return bool(settings.SEARCH and settings.MEILI_HOST and settings.MEILI_MASTER_KEY)


def meili() -> MeiliSearch | None:
    if not meili_configured():
        return None
    return _meili(settings.MEILI_HOST, settings.MEILI_MASTER_KEY)


@cache
def _meili(host: str, key: str) -> MeiliSearch:
    return MeiliSearch(host, key)


def database() -> PostgresSearch | SqliteSearch:
    return PostgresSearch() if connection.vendor == "postgresql" else SqliteSearch()


def searcher() -> Searcher:
    """Meilisearch when configured, else the database."""
    return meili() or database()


def indexes(*, automatic: bool) -> list[Index]:
    """The indexes to keep in sync. PostgreSQL indexes its tables itself and is never listed;
    MEILI_NO_SYNC leaves Meilisearch out of the automatic (after-commit) sync."""
    found: list[Index] = []
    db = database()
    if isinstance(db, SqliteSearch):
        found.append(db)
    search_index = meili()
    if search_index and not (automatic and settings.MEILI_NO_SYNC):
        found.append(search_index)
    return found


def status() -> tuple[str, str | None]:
    """(the backend answering searches now, why it is not Meilisearch when it should be).
    Never raises: an unreachable index is a finding to report, not a reason to stop."""
    search_index = meili()
    fallback = database().name
    if search_index is None:
        if settings.SEARCH:
            return fallback, "SEARCH=true but MEILI_HOST or MEILI_MASTER_KEY is not set"
        return fallback, None
    try:
        search_index.check()
    except SearchUnavailable as error:
        return fallback, f"fallback: {error}"
    return search_index.name, None


def describe() -> str:
    name, problem = status()
    return f"{name}, {problem}" if problem else name


def report() -> str:
    """Start-up: log which backend answers searches; an unreachable index is a warning,
    never fatal."""
    name, problem = status()
    if problem:
        log.warning("search: %s, %s", name, problem)
        return f"{name}, {problem}"
    log.info("search: %s", name)
    return name
