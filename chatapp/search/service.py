"""The search entry point: a user's conversations by title and messages, with snippets.

    search(user, query, cursor) -> SearchPage

Meilisearch answers when SEARCH=true and MEILI_HOST / MEILI_MASTER_KEY are set;
otherwise, and whenever Meilisearch cannot answer, the database does
(PostgreSQL trigram + full-text, SQLite FTS5 trigram). Indexes are kept in
sync after commit by the tasks in `chatapp.search.tasks` (see `sync`).
"""

from __future__ import annotations

import logging

from django.utils.translation import gettext as _

from chatapp.search import backends
from chatapp.search.base import ConversationHit, MessageHit, SearchPage, SearchUnavailable
from chatapp.search.query import Segment, decode_cursor, encode_cursor, parse

__all__ = ["ConversationHit", "MessageHit", "SearchPage", "Segment", "search"]
log = logging.getLogger(__name__)
PAGE_SIZE = 20


def search(user, raw_query: str | None, cursor: str | None = None) -> SearchPage:
    """One page of the user's conversations matching `raw_query` (BadCursor on a bad cursor)."""
    query, offset = parse(raw_query), decode_cursor(cursor)
    searcher = backends.searcher()
    if not query or not getattr(user, "is_authenticated", False):
        return SearchPage(query.text, [], None, searcher.name)
    notice = None
    try:
        hits = searcher.search(user.pk, query, offset, PAGE_SIZE + 1)
    except SearchUnavailable as error:
        log.warning("search index unavailable, answering from the database: %s", error)
        searcher = backends.database()
        notice = _("The search index is unavailable; these results come from the database.")
        hits = searcher.search(user.pk, query, offset, PAGE_SIZE + 1)
    more = len(hits) > PAGE_SIZE
    next_cursor = encode_cursor(offset + PAGE_SIZE) if more else None
    return SearchPage(query.text, hits[:PAGE_SIZE], next_cursor, searcher.name, notice)
