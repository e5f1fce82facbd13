"""PostgreSQL: trigram substring matching (pg_trgm) and full-text word prefixes, both on GIN.

Terms of three characters or more, and any term in Chinese, Japanese or
Korean (written without spaces between words), are found as substrings with
ILIKE, which the trigram index answers. Shorter terms ("go", "AI") have no
trigram to look up: they match word prefixes through the full-text index.
PostgreSQL keeps both indexes up to date itself, in the writing transaction,
so this backend has no index to feed and never drifts.
"""

from __future__ import annotations

from chatapp.search.database import SQL, DatabaseSearch, like_pattern
from chatapp.search.query import is_cjk

# The same expression as the GIN index in the search app's migration, so the planner uses it.
TSVECTOR = "to_tsvector('simple'::regconfig, {column})"


class PostgresSearch(DatabaseSearch):
    name = "postgresql"

    def term(self, column: str, term: str) -> SQL:
        if len(term) >= 3 or is_cjk(term):
            return f"{column} ILIKE %s", [like_pattern(term)]
        tsquery = "'" + term.replace("\\", "\\\\").replace("'", "''") + "':*"
        return f"{TSVECTOR.format(column=column)} @@ to_tsquery('simple'::regconfig, %s)", [tsquery]
