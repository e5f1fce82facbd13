"""After-commit hooks the domain functions call explicitly (no signal receivers).

Each hook schedules a task once the surrounding transaction commits, so the
worker reads committed rows, and a rolled-back change is never indexed.
Nothing is scheduled when no index needs feeding (PostgreSQL without
Meilisearch, or MEILI_NO_SYNC with nothing else to feed).

On the embedded default the tasks run in this process (chatapp.conf.dispatch), so
the changed conversations are gathered (`Batch`) and indexed by one run at a time:
a task per message would open its own SQLite connection and write transaction for
each, and in a burst of turns they took the write lock from the turns' own saves
(bench/README.md).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction

from chatapp.conf.dispatch import enqueue
from chatapp.search import tasks
from chatapp.search.backends import indexes

Changes = dict[str, list[str] | None]  # conversation id → message ids (None: all of them)


class Batch:
    """Changed conversations waiting to be indexed, handed to `start` (which runs them in
    the background and returns the run's Future) one batch at a time: what changes while a
    batch runs waits for the next one, merged by conversation."""

    def __init__(self, start: Callable[[Changes], Future | None]) -> None:
        self._start = start
        self._lock = threading.Lock()
        self._waiting: dict[str, set[str] | None] = {}
        self._running = False

    def add(self, conversation_id: str, message_ids: list[str] | None) -> None:
        with self._lock:
            known = self._waiting.get(conversation_id, set())
            merged = None if known is None or message_ids is None else known | set(message_ids)
            self._waiting[conversation_id] = merged
            if self._running:
                return
            self._running = True
        self._next()

    def _next(self, _: Future | None = None) -> None:
        with self._lock:
            waiting, self._waiting = self._waiting, {}
            self._running = bool(waiting)
        if not waiting:
            return
        changes = {cid: None if ids is None else sorted(ids) for cid, ids in waiting.items()}
        try:
            run = self._start(changes)
        except BaseException:
            with self._lock:
                self._running = False
            raise
        if run is None:  # ran already (or queued elsewhere): whatever came meanwhile is next
            self._next()
        else:
            run.add_done_callback(self._next)


batch = Batch(partial(enqueue, tasks.index_conversations))


def conversation_changed(conversation_id: Any, message_ids: list[Any] | None = None) -> None:
    """A title, rename, archive or new/changed messages (all of them when `message_ids` is None)."""
    ids = None if message_ids is None else [str(pk) for pk in message_ids]
    if settings.CELERY_TASK_ALWAYS_EAGER and indexes(automatic=True):
        transaction.on_commit(partial(batch.add, str(conversation_id), ids))
        return
    _after_commit(tasks.index_conversation, str(conversation_id), ids)


def conversation_deleted(conversation_id: Any) -> None:
    _after_commit(tasks.remove_conversation, str(conversation_id))


def owner_deleted(owner_id: int) -> None:
    """An account and (by cascade) its conversations are gone."""
    _after_commit(tasks.remove_owner, int(owner_id))


def _after_commit(task, *args: Any) -> None:
    if indexes(automatic=True):
        transaction.on_commit(partial(enqueue, task, *args))
