"""After-commit hooks the domain functions call explicitly (no signal receivers).

Each hook schedules a task once the surrounding transaction commits, so the
worker reads committed rows, and a rolled-back change is never indexed.
Nothing is scheduled when no index needs feeding (PostgreSQL without
Meilisearch, or MEILI_NO_SYNC with nothing else to feed).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction

from chatapp.conf.dispatch import enqueue
from chatapp.search import tasks
from chatapp.search.backends import indexes


def conversation_changed(conversation_id: Any, message_ids: list[Any] | None = None) -> None:
    """A title, rename, archive or new/changed messages (all of them when `message_ids` is None)."""
    ids = None if message_ids is None else [str(pk) for pk in message_ids]
    _after_commit(tasks.index_conversation, str(conversation_id), ids)


def conversation_deleted(conversation_id: Any) -> None:
    _after_commit(tasks.remove_conversation, str(conversation_id))


def owner_deleted(owner_id: int) -> None:
    """An account and (by cascade) its conversations are gone."""
    _after_commit(tasks.remove_owner, int(owner_id))


def _after_commit(task, *args: Any) -> None:
    if indexes(automatic=True):
        transaction.on_commit(partial(enqueue, task, *args))
