"""SQLite (the embedded default): an FTS5 table with the trigram tokenizer.

The FTS table holds a copy of every message's text and its files' names and
text (`Message.files_text`), keyed by a number derived
from the message id, and is fed by the sync tasks (`index`, `remove`). It
only narrows the candidates: every match is confirmed against the real
message and conversation rows, so a stale entry can never show a deleted
message or another user's text. Terms under three characters have no trigram
and are checked on the rows directly.
"""

from __future__ import annotations

import uuid

from django.db import connection, transaction

from chatapp.models import Conversation, Message
from chatapp.search.database import SQL, DatabaseSearch
from chatapp.search.query import Query

TABLE = "search_fts"


def rowid(message_id: uuid.UUID) -> int:
    """A stable 63-bit key for a message (SQLite rowids are signed 64-bit)."""
    return message_id.int >> 65


def _db_id(value: uuid.UUID) -> str:
    """A UUID as SQLite stores it in Django's UUID columns."""
    return Message._meta.pk.get_db_prep_value(value, connection)


class SqliteSearch(DatabaseSearch):
    name = "sqlite"

    def term(self, column: str, term: str, indexed: bool = True) -> SQL:
        return f"instr(lower({column}), %s) > 0", [term]

    def in_text(self, query: Query, glue: str, indexed: bool = True) -> SQL:
        """Narrowed by the FTS table when every term has a trigram, then confirmed on the row
        itself (the FTS copy may lag behind)."""
        exact_sql, exact_params = super().in_text(query, glue, indexed)
        if not indexed or any(len(term) < 3 for term in query.terms):
            return exact_sql, exact_params
        phrases = glue.join('"' + term.replace('"', '""') + '"' for term in query.terms)
        narrow = f"m.id IN (SELECT message_id FROM {TABLE} WHERE {TABLE} MATCH %s)"
        return f"{narrow} AND {exact_sql}", [phrases, *exact_params]

    def index(self, conversation: Conversation, messages: list[Message]) -> None:
        # Two tasks may index one message at once (a partial and a final text). In one
        # IMMEDIATE transaction they take turns, and each writes the text as it is when
        # it holds the write lock, so the last one to write has the newest text.
        ids = [m.id for m in messages]
        with transaction.atomic(), connection.cursor() as cursor:
            found = Message.objects.filter(pk__in=ids).values_list("id", "text", "files_text")
            texts = [(i, "\n\n".join(t for t in texts if t)) for i, *texts in found]
            cursor.executemany(f"DELETE FROM {TABLE} WHERE rowid = %s", [(rowid(i),) for i in ids])
            cursor.executemany(
                f"INSERT INTO {TABLE} (rowid, body, conversation_id, message_id)"
                " VALUES (%s, %s, %s, %s)",
                [(rowid(i), body, _db_id(conversation.id), _db_id(i)) for i, body in texts if body],
            )

    def remove(self, conversation_id: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {TABLE} WHERE conversation_id = %s",
                [_db_id(uuid.UUID(str(conversation_id)))],
            )

    def remove_owner(self, owner_id: int) -> None:
        """The account's conversations are gone with it: prune what they left behind."""
        self.prune(0, owner_id)

    def prune(self, before: float, owner_id: int | None) -> None:
        """Drop entries whose message no longer exists (this table keeps no timestamps)."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {TABLE} WHERE message_id NOT IN"
                f" (SELECT id FROM {Message._meta.db_table})"
            )
