"""What every search backend returns, and the interface they share."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

# A hit's snippet is made of the query's Segments; the query knows nothing of backends.
from chatapp.search.query import Query, Segment

if TYPE_CHECKING:
    from chatapp.models import Conversation, Message


@dataclass(frozen=True)
class MessageHit:
    id: str
    role: str
    snippet: tuple[Segment, ...]


@dataclass(frozen=True)
class ConversationHit:
    id: str
    title: str
    title_snippet: tuple[Segment, ...]
    archived: bool
    updated_at: datetime
    messages: list[MessageHit] = field(default_factory=list)

    @property
    def jump_to(self) -> str | None:
        """The message a result opens at: the best (or newest) match."""
        return self.messages[0].id if self.messages else None


class SearchUnavailable(Exception):
    """The backend's service cannot answer now (the caller falls back to the database)."""


@dataclass(frozen=True)
class SearchPage:
    query: str
    results: list[ConversationHit]
    next_cursor: str | None
    backend: str
    # Set when the configured index could not answer and the database did instead.
    notice: str | None = None


class Searcher(Protocol):
    """Finds a user's conversations. The owner filter is applied inside, on every query."""

    name: str

    def search(self, owner_id: int, query: Query, offset: int, limit: int) -> list[ConversationHit]:
        """Conversations of `owner_id` matching `query`, at most `limit`, after `offset`."""


class Index(Protocol):
    """A copy of conversations kept for searching, fed by the sync tasks."""

    name: str

    def index(self, conversation: Conversation, messages: list[Message]) -> None:
        """Store (or replace) the conversation's title and the given messages."""

    def remove(self, conversation_id: str) -> None:
        """Forget a conversation and its messages."""

    def remove_owner(self, owner_id: int) -> None:
        """Forget everything of a deleted account."""

    def prune(self, before: float, owner_id: int | None) -> None:
        """After a rebuild: drop the entries (of `owner_id`, or anyone's) not re-sent since
        the timestamp `before`, or whose messages no longer exist."""
