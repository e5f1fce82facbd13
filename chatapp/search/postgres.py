"""PostgreSQL: trigram substring matching (pg_trgm) and full-text word prefixes, both on GIN.

Terms of three characters or more, and any term in Chinese, Japanese or
Korean (written without spaces between words), are found as substrings with
ILIKE, which the trigram index answers. Shorter terms ("go", "AI") have no
trigram to look up: they match word prefixes through the full-text index.
PostgreSQL keeps both indexes up to date itself, in the writing transaction,
so this backend has no index to feed and never drifts.
"""

from __future__ import annotations

import re

from chatapp.search.database import (
    CONV,
    MESSAGES_PER_CONVERSATION,
    MSG,
    SQL,
    DatabaseSearch,
    like_pattern,
)
from chatapp.search.query import Query, is_cjk

# The same expression as the GIN index in the search app's migration, so the planner uses it.
TSVECTOR = "to_tsvector('simple'::regconfig, {column})"
TSQUERY = "to_tsquery('simple'::regconfig, %s)"


class PostgresSearch(DatabaseSearch):
    name = "postgresql"

    def term(self, column: str, term: str, indexed: bool = True) -> SQL:
        if len(term) >= 3 or is_cjk(term):
            if indexed:
                return f"{column} ILIKE %s", [like_pattern(term)]
            return f"lower({column}) LIKE %s", [like_pattern(term.lower())]
        if indexed:
            prefix = "'" + term.replace("\\", "\\\\").replace("'", "''") + "':*"
            return f"{TSVECTOR.format(column=column)} @@ {TSQUERY}", [prefix]
        return f"{column} ~* %s", [r"\m" + re.escape(term)]  # a word starting with the term

    def split_match(self, query: Query) -> SQL:
        """Read within the few conversations whose title matched, never through the indexes:
        planning each text pattern against the statistics costs more than the reading."""
        match_sql, params = self._match(query, indexed=False)
        return (
            f"EXISTS (SELECT 1 FROM (SELECT 1 FROM {MSG} m WHERE m.conversation_id = c.id"
            f" AND {match_sql} LIMIT 1) one)"
        ), params

    def newest_messages(self, owner_id: int, ids: list, query: Query) -> SQL:
        """Each conversation's messages newest first, stopping at the last one needed."""
        match_sql, params = self._match(query, indexed=False)
        listed = ", ".join(["%s"] * len(ids))
        return (
            "SELECT hit.id, hit.conversation_id, hit.role, hit.text, hit.files_text"
            f" FROM {CONV} c CROSS JOIN LATERAL (SELECT m.id, m.conversation_id, m.role, m.text"
            " , m.files_text"
            f" , m.created_at FROM {MSG} m WHERE m.conversation_id = c.id AND {match_sql}"
            f"  ORDER BY m.created_at DESC LIMIT {MESSAGES_PER_CONVERSATION}) hit"
            f" WHERE c.owner_id = %s AND c.id IN ({listed}) ORDER BY hit.created_at DESC"
        ), [*params, owner_id, *ids]
