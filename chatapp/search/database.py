"""Search the database's own tables: the shared query shape of the SQL backends.

A message matches when every term is found in it or in its conversation's
title (so "python error" finds "error" in a chat titled "Python help"); a
conversation matches when one of its messages does or its title holds every
term. Results are conversations, newest first, each with its newest matching
messages. The owner filter is part of every statement.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import F, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import RowNumber

from chatapp.models import Conversation, Message
from chatapp.search.base import ConversationHit, MessageHit
from chatapp.search.query import Query, highlight

MESSAGES_PER_CONVERSATION = 3
SQL = tuple[str, list]


class DatabaseSearch:
    """Subclasses say how one term matches a column, and which rows an index narrows to."""

    name = "database"

    def term(self, column: str, term: str) -> SQL:
        raise NotImplementedError

    def candidates(self, query: Query) -> SQL:
        """Messages that may match: the part of the condition an index can answer."""
        return self._any("m.text", query)

    def search(self, owner_id: int, query: Query, offset: int, limit: int) -> list[ConversationHit]:
        matching = self._matching_messages(owner_id, query)
        titled_sql, titled_params = self._all("c.title", query)
        conversations = (
            Conversation.objects.filter(owner_id=owner_id)
            .filter(
                id__in=RawSQL(
                    f"SELECT m.conversation_id FROM ({matching[0]}) m"
                    f" UNION SELECT c.id FROM {_conv()} c WHERE c.owner_id = %s AND {titled_sql}",
                    [*matching[1], owner_id, *titled_params],
                )
            )
            .order_by("-updated_at", "-id")
            .only("id", "title", "archived", "updated_at")[offset : offset + limit]
        )
        conversations = list(conversations)
        messages = self._newest_messages(matching, [c.id for c in conversations])
        return [
            ConversationHit(
                id=str(c.id),
                title=c.title,
                title_snippet=highlight(c.title, query.terms),
                archived=c.archived,
                updated_at=c.updated_at,
                messages=[
                    MessageHit(str(m.id), m.role, highlight(m.text, query.terms))
                    for m in messages[c.id]
                ],
            )
            for c in conversations
        ]

    def _matching_messages(self, owner_id: int, query: Query) -> SQL:
        """SELECT of the owner's matching messages (id, conversation_id, created_at)."""
        narrow_sql, narrow_params = self.candidates(query)
        every: list[str] = []
        params: list = [owner_id, *narrow_params]
        for term in query.terms:
            in_title, title_params = self.term("c.title", term)
            in_text, text_params = self.term("m.text", term)
            every.append(f"({in_title} OR {in_text})")
            params += [*title_params, *text_params]
        sql = (
            f"SELECT m.id, m.conversation_id FROM {_msg()} m"
            f" JOIN {_conv()} c ON c.id = m.conversation_id"
            f" WHERE c.owner_id = %s AND {narrow_sql} AND {' AND '.join(every)}"
        )
        return sql, params

    def _newest_messages(self, matching: SQL, conversation_ids: list) -> dict:
        if not conversation_ids:
            return {}
        rows = (
            Message.objects.filter(conversation_id__in=conversation_ids)
            .filter(id__in=RawSQL(f"SELECT id FROM ({matching[0]}) hit", matching[1]))
            .annotate(
                rank=Window(
                    RowNumber(),
                    partition_by=[F("conversation_id")],
                    order_by=[F("created_at").desc(), F("id").desc()],
                )
            )
            .filter(rank__lte=MESSAGES_PER_CONVERSATION)
            .only("id", "conversation_id", "role", "text", "created_at")
            .order_by("conversation_id", "rank")
        )
        found: dict = defaultdict(list)
        for message in rows:
            found[message.conversation_id].append(message)
        return found

    def _any(self, column: str, query: Query) -> SQL:
        return self._join(column, query, " OR ")

    def _all(self, column: str, query: Query) -> SQL:
        return self._join(column, query, " AND ")

    def _join(self, column: str, query: Query, glue: str) -> SQL:
        parts = [self.term(column, term) for term in query.terms]
        return "(" + glue.join(sql for sql, _ in parts) + ")", [p for _, ps in parts for p in ps]


def _msg() -> str:
    return Message._meta.db_table


def _conv() -> str:
    return Conversation._meta.db_table


def like_pattern(term: str) -> str:
    """`%term%` with LIKE's own wildcards escaped (backslash is the escape character)."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
