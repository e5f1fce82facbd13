"""The text of every running generation of this process, saved together once a second.

The save is also the generation's liveness signal (chatapp.engine.recovery marks a
response whose `updated_at` stops moving as interrupted). One transaction for all
streams, in one thread hop, instead of a save per generation: at 500 streams
that is one commit a second, not 500. Only rows still `streaming` are
written, so a late heartbeat never overwrites a response's final save.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

from django.db import connection, transaction
from django.utils import timezone

from chatapp.conf import dbthreads
from chatapp.models import Message

log = logging.getLogger(__name__)
INTERVAL = 1.0  # seconds between saves
BATCH = 200  # rows per executemany
_meta = Message._meta
ID, UPDATED_AT = _meta.pk, _meta.get_field("updated_at")
STREAMING = Message.State.STREAMING.value
UPDATE = (
    f"UPDATE {_meta.db_table} SET {_meta.get_field('text').column} = %s,"
    f" {_meta.get_field('reasoning').column} = %s, {UPDATED_AT.column} = %s"
    f" WHERE {ID.column} = %s AND {_meta.get_field('state').column} = %s"
)


@dataclass(frozen=True)
class Partial:
    message_id: UUID
    text: str
    reasoning: str


class Beating(Protocol):
    def partial(self) -> Partial: ...


def save(partials: Sequence[Partial]) -> int:
    """Write the partial texts of responses still streaming; return how many rows."""
    now = timezone.now()
    rows = [
        (p.text, p.reasoning, _db(UPDATED_AT, now), _db(ID, p.message_id), STREAMING)
        for p in partials
    ]
    saved = 0
    # One statement run for every row (the ORM's CASE per row cost more to build
    # than the database took to run it), in one transaction: one commit a beat.
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(UPDATE, rows[start : start + BATCH])
            saved += max(cursor.rowcount, 0)
    return saved


def _db(field: Any, value: Any) -> Any:
    return field.get_db_prep_value(value, connection)


class Heartbeat:
    """Saves its members' partials every INTERVAL while it has any (one per event loop)."""

    def __init__(self) -> None:
        self._members: dict[Beating, None] = {}
        self._task: asyncio.Task | None = None

    def join(self, member: Beating) -> None:
        self._members[member] = None
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._beat())

    def leave(self, member: Beating) -> None:
        self._members.pop(member, None)

    async def _beat(self) -> None:
        while self._members:
            await asyncio.sleep(INTERVAL)
            partials = [member.partial() for member in self._members]
            try:
                await dbthreads.run(save, partials)
            except Exception:  # the database may be briefly unreachable: the next beat retries
                log.exception("saving the partial text of %d stream(s) failed", len(partials))


_hearts: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Heartbeat] = (
    weakref.WeakKeyDictionary()
)


def heartbeat() -> Heartbeat:
    """The running loop's heartbeat."""
    return _hearts.setdefault(asyncio.get_running_loop(), Heartbeat())
