"""Meilisearch through the official client: one index of titles and messages.

Each document is a message (its text, and its files' names and text as
`files`) or, for the title, the conversation itself, and carries the owner,
the conversation id and its title, so one query searches titles and contents
together. `conversation_id` is the distinct attribute:
a page holds one hit per conversation, the best one. Every search is filtered
by `owner_id` inside this module, built from an integer, never from input.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import meilisearch
import requests
from meilisearch.errors import MeilisearchError

from chatapp.models import Conversation, Message
from chatapp.search.base import ConversationHit, MessageHit, SearchUnavailable
from chatapp.search.query import Query, Segment

INDEX = "parley_conversations"
SETTINGS = {
    "searchableAttributes": ["title", "text", "files"],
    "filterableAttributes": ["owner_id", "conversation_id", "archived", "indexed_at"],
    "sortableAttributes": ["updated_at"],
    "distinctAttribute": "conversation_id",
}
# Private-use characters around highlights: split into segments here, never shown as HTML.
PRE, POST = "\ue000", "\ue001"
TASK_TIMEOUT_MS = 10_000


class MeiliSearch:
    name = "meilisearch"

    def __init__(self, host: str, key: str, timeout: float = 2.0) -> None:
        self.client = meilisearch.Client(host, key, timeout=timeout)
        self.index_ = self.client.index(INDEX)
        self.ready = False

    def check(self) -> None:
        """Raise SearchUnavailable unless the server answers its health check."""
        with _unavailable():
            self.client.health()

    def ensure_index(self) -> None:
        """Create the index (if missing) and apply its settings; both are idempotent."""
        with _unavailable():
            self._wait(
                self.client.create_index(INDEX, {"primaryKey": "id"}), allow="index_already_exists"
            )
            self._wait(self.index_.update_settings(SETTINGS))

    def search(self, owner_id: int, query: Query, offset: int, limit: int) -> list[ConversationHit]:
        with _unavailable():
            found = self.index_.search(
                _plain_text(query),
                {
                    "filter": f"owner_id = {int(owner_id)}",
                    "offset": offset,
                    "limit": limit,
                    "attributesToHighlight": ["title", "text", "files"],
                    "attributesToCrop": ["text", "files"],
                    "cropLength": 24,
                    "cropMarker": "…",
                    "highlightPreTag": PRE,
                    "highlightPostTag": POST,
                },
            )
        return [_hit(document) for document in found["hits"]]

    def index(self, conversation: Conversation, messages: list[Message]) -> None:
        if not self.ready:  # once per process: the first write creates the index if need be
            self.ensure_index()
            self.ready = True
        with _unavailable():
            self._wait(self.index_.add_documents(list(_documents(conversation, messages)), "id"))

    def remove(self, conversation_id: str) -> None:
        with _unavailable():
            key = uuid.UUID(str(conversation_id))  # a UUID, so the filter cannot be widened
            self._wait(self.index_.delete_documents(filter=f'conversation_id = "{key}"'))

    def remove_owner(self, owner_id: int) -> None:
        with _unavailable():
            self._wait(self.index_.delete_documents(filter=f"owner_id = {int(owner_id)}"))

    def prune(self, before: float, owner_id: int | None) -> None:
        stale = f"indexed_at < {int(before)}"
        if owner_id is not None:
            stale += f" AND owner_id = {int(owner_id)}"
        with _unavailable():
            self._wait(self.index_.delete_documents(filter=stale))

    def _wait(self, info: Any, allow: str | None = None) -> None:
        task = self.client.wait_for_task(info.task_uid, timeout_in_ms=TASK_TIMEOUT_MS)
        error = task.error or {}
        if task.status == "failed" and error.get("code") != allow:
            raise SearchUnavailable(f"Meilisearch task {task.uid} failed: {error.get('message')}")


@contextmanager
def _unavailable() -> Iterator[None]:
    """Turn the client's failures into SearchUnavailable (the caller decides what to do)."""
    try:
        yield
    except (MeilisearchError, requests.RequestException) as error:
        raise SearchUnavailable(f"Meilisearch: {error}") from error


def _plain_text(query: Query) -> str:
    """The terms without Meilisearch's operators: a quote starts a phrase, a leading - negates."""
    words = (term.replace('"', " ").strip().lstrip("-") for term in query.terms)
    return " ".join(word for word in words if word)


def _documents(conversation: Conversation, messages: list[Message]) -> Iterator[dict]:
    shared = {
        "owner_id": conversation.owner_id,
        "conversation_id": str(conversation.id),
        "title": conversation.title,
        "archived": conversation.archived,
        "updated_at": int(conversation.updated_at.timestamp()),
        "indexed_at": int(time.time()),
    }
    yield {"id": f"c_{conversation.id.hex}", "message_id": None, "role": "", "text": "", **shared}
    for message in messages:
        if message.text or message.files_text:
            yield {
                "id": f"m_{message.id.hex}",
                "message_id": str(message.id),
                "role": message.role,
                "text": message.text,
                "files": message.files_text,  # the names and text of its files
                **shared,
            }


def _hit(document: dict) -> ConversationHit:
    formatted = document.get("_formatted", document)
    messages = []
    if document.get("message_id"):
        snippet = segments(formatted.get("text", ""))
        if not any(piece.hit for piece in snippet) and document.get("files"):
            snippet = segments(formatted.get("files", ""))  # only its files matched
        messages.append(MessageHit(document["message_id"], document.get("role", ""), snippet))
    return ConversationHit(
        id=document["conversation_id"],
        title=document.get("title", ""),
        title_snippet=segments(formatted.get("title", "")),
        archived=bool(document.get("archived")),
        updated_at=datetime.fromtimestamp(document.get("updated_at", 0), tz=UTC),
        messages=messages,
    )


def segments(marked: str) -> tuple[Segment, ...]:
    """Split Meilisearch's highlighted text on our private markers."""
    pieces: list[Segment] = []
    for n, chunk in enumerate(marked.split(PRE)):
        hit, _, rest = chunk.partition(POST) if n else ("", "", chunk)
        if hit:
            pieces.append(Segment(hit, hit=True))
        if rest:
            pieces.append(Segment(rest))
    return tuple(pieces)
