"""Celery tasks of search: each only wraps a plain function of `indexing`.

An unreachable index is retried with backoff; the database backends never are
(their writes happen in the same process and database as the change).
"""

from __future__ import annotations

from celery import shared_task

from chatapp.search import indexing
from chatapp.search.base import SearchUnavailable

RETRY = {"autoretry_for": (SearchUnavailable,), "retry_backoff": 5, "max_retries": 5}


@shared_task(**RETRY)
def index_conversation(conversation_id: str, message_ids: list[str] | None = None) -> None:
    indexing.index_conversation(conversation_id, message_ids)


@shared_task(**RETRY)
def index_conversations(changes: dict[str, list[str] | None]) -> None:
    """Several conversations' changes at once (chatapp.search.sync.Batch)."""
    indexing.index_conversations(changes)


@shared_task(**RETRY)
def remove_conversation(conversation_id: str) -> None:
    indexing.remove_conversation(conversation_id)


@shared_task(**RETRY)
def remove_owner(owner_id: int) -> None:
    indexing.remove_owner(owner_id)
