"""Search the database's own tables: the shared query shape of the SQL backends.

A message matches when every term is found in it (its text, or its files'
names and extracted text: `Message.files_text`) or in its conversation's
title (so "python error" finds "error" in a chat titled "Python help"); a
conversation matches when one of its messages does or its title holds every
term. Results are conversations, newest first, each with its newest matching
messages. The owner filter is part of every statement.

Each statement is ordered newest first with a limit, so the database plans it
by the word's frequency: a common word walks the owner's conversations newest
first and stops at the page's end (index `search_conversation_recent`), a rare
one is collected through the text index and sorted (see `_page`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import defaultdict
from typing import Any

from django.db import connection

from chatapp.models import Conversation, Message
from chatapp.search.base import ConversationHit, MessageHit
from chatapp.search.query import Query, highlight

MESSAGES_PER_CONVERSATION = 3
SQL = tuple[str, list]
MSG, CONV = Message._meta.db_table, Conversation._meta.db_table
COLUMNS = "c.id, c.updated_at, c.title, c.archived"


class DatabaseSearch(ABC):
    """Subclasses say how one term matches a column, and which rows an index narrows to."""

    name = "database"

    @abstractmethod
    def term(self, column: str, term: str, indexed: bool = True) -> SQL:
        """`column` holds `term`. With `indexed=False`, the same test in a form no text index
        answers: within a few known conversations, reading their rows beats an index lookup
        over the whole table, and the planner's costs do not always see it."""

    def in_text(self, query: Query, glue: str, indexed: bool = True) -> SQL:
        """Every (glue " AND ") or some (" OR ") term in message `m`: its text, or its
        files' names and text (`m.files_text`)."""
        parts = [self.in_message(term, indexed) for term in query.terms]
        return "(" + glue.join(sql for sql, _ in parts) + ")", [p for _, ps in parts for p in ps]

    def in_message(self, term: str, indexed: bool = True) -> SQL:
        """`term` in message `m`'s text or in its files' (each column has its text index)."""
        text_sql, text_params = self.term("m.text", term, indexed)
        files_sql, files_params = self.term("m.files_text", term, indexed)
        return f"({text_sql} OR {files_sql})", [*text_params, *files_params]

    def search(self, owner_id: int, query: Query, offset: int, limit: int) -> list[ConversationHit]:
        page = self._page(owner_id, query, offset, limit)
        messages = self._newest_messages(owner_id, query, [row.id for row in page])
        return [self._hit(row, messages[row.id], query) for row in page]

    def _match(self, query: Query, indexed: bool = True) -> SQL:
        """A message `m` of conversation `c` matches: every term in its text or in the title,
        and some term in its text."""
        some_sql, some_params = self.in_text(query, " OR ", indexed)
        if len(query.terms) == 1:  # then the second part implies the first
            return some_sql, some_params
        every, params = [], []
        for term in query.terms:
            in_title, title_params = self.term("c.title", term, indexed)
            in_text, text_params = self.in_message(term, indexed)
            every.append(f"({in_title} OR {in_text})")
            params += [*title_params, *text_params]
        # Rows are filtered in this order: most fail on the first term, reading the text once.
        return f"{' AND '.join(every)} AND {some_sql}", [*params, *some_params]

    def _page(self, owner_id: int, query: Query, offset: int, limit: int) -> list[Conversation]:
        """The page's conversations (id, title, archived, updated_at), newest first.

        Three cheap statements rather than one slow one: conversations with a message holding
        every term (the common case, which the text indexes answer), conversations whose
        title holds every term, and, for several terms, those whose title holds some term
        with a message holding the rest."""
        newest = f" ORDER BY c.updated_at DESC, c.id DESC LIMIT {offset + limit}"
        # Temporary chats are never found (chatapp.temporary).
        owned = (
            f"SELECT {COLUMNS} FROM {CONV} c WHERE c.owner_id = %s AND c.expires_at IS NULL AND "
        )
        messages = f"EXISTS (SELECT 1 FROM {MSG} m WHERE m.conversation_id = c.id AND "
        every_sql, every_params = self.in_text(query, " AND ")
        titled_sql, titled_params = self._join("c.title", query, " AND ")
        parts = [
            (f"{owned}{messages}{every_sql}){newest}", [owner_id, *every_params]),
            (f"{owned}{titled_sql}{newest}", [owner_id, *titled_params]),
        ]
        if len(query.terms) > 1:
            some_sql, some_params = self._join("c.title", query, " OR ")
            split_sql, split_params = self.split_match(query)
            parts.append((f"{owned}{some_sql} AND {split_sql}{newest}",
                          [owner_id, *some_params, *split_params]))  # fmt: skip
        rows = _fetch(
            " UNION ALL ".join(
                f"SELECT * FROM ({sql}) part{n}" for n, (sql, _) in enumerate(parts)
            ),
            [param for _, params in parts for param in params],
        )
        field = Conversation._meta.pk
        found = {
            field.to_python(pk): Conversation(id=field.to_python(pk), title=title,
                                              archived=bool(archived), updated_at=updated)
            for pk, updated, title, archived in rows
        }  # fmt: skip
        ordered = sorted(found.values(), key=lambda c: (c.updated_at, c.id), reverse=True)
        return ordered[offset : offset + limit]

    def split_match(self, query: Query) -> SQL:
        """Conversation `c` (whose title holds some term) has a message holding the rest."""
        match_sql, params = self._match(query)
        return (
            f"EXISTS (SELECT 1 FROM {MSG} m WHERE m.conversation_id = c.id AND {match_sql})",
            params,
        )

    def _newest_messages(self, owner_id: int, query: Query, ids: list) -> dict[Any, list]:
        found: dict[Any, list] = defaultdict(list)
        if not ids:
            return found
        rows = Message.objects.raw(*self.newest_messages(owner_id, [_db(pk) for pk in ids], query))
        for message in rows:
            found[message.conversation_id].append(message)
        return found

    def newest_messages(self, owner_id: int, ids: list, query: Query) -> SQL:
        """The newest MESSAGES_PER_CONVERSATION matches of each conversation in `ids`."""
        match_sql, params = self._match(query, indexed=False)
        listed = ", ".join(["%s"] * len(ids))
        return (
            "SELECT id, conversation_id, role, text, files_text FROM ("
            " SELECT m.id, m.conversation_id, m.role, m.text, m.files_text, ROW_NUMBER() OVER ("
            "  PARTITION BY m.conversation_id ORDER BY m.created_at DESC, m.id DESC) AS n"
            f" FROM {MSG} m JOIN {CONV} c ON c.id = m.conversation_id"
            f" WHERE c.owner_id = %s AND m.conversation_id IN ({listed}) AND {match_sql}"
            f") ranked WHERE n <= {MESSAGES_PER_CONVERSATION} ORDER BY n"
        ), [owner_id, *ids, *params]

    def _hit(self, conversation: Conversation, messages: list, query: Query) -> ConversationHit:
        return ConversationHit(
            id=str(conversation.id),
            title=conversation.title,
            title_snippet=highlight(conversation.title, query.terms),
            archived=conversation.archived,
            updated_at=conversation.updated_at,
            messages=[MessageHit(str(m.id), m.role, snippet(m, query)) for m in messages],
        )

    def _join(self, column: str, query: Query, glue: str, indexed: bool = True) -> SQL:
        parts = [self.term(column, term, indexed) for term in query.terms]
        return "(" + glue.join(sql for sql, _ in parts) + ")", [p for _, ps in parts for p in ps]


def snippet(message: Message, query: Query) -> tuple:
    """The message's text around a match, or its files' when only they hold a term."""
    text = message.text.lower()
    if message.files_text and not any(term in text for term in query.terms):
        return highlight(message.files_text, query.terms)
    return highlight(message.text, query.terms)


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _db(pk: Any) -> Any:
    return Conversation._meta.pk.get_db_prep_value(pk, connection)


def like_pattern(term: str) -> str:
    """`%term%` with LIKE's own wildcards escaped (backslash is the escape character)."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
