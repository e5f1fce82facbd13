"""Responses left `streaming` by a web process that died are marked `interrupted`.

A live generation saves at least once a second (its heartbeat), so a response
not saved for `CHAT_STALE_STREAM_SECONDS` has no process behind it. Every web
process sweeps at start-up and then periodically, so a crash is cleaned up
whether or not that process comes back. The text saved so far is kept; a tool
step it left running is marked cancelled.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from chatapp.conf import periodic
from chatapp.models import Message, ToolStep

log = logging.getLogger(__name__)


def mark_interrupted(stale_after: float | None = None) -> int:
    """Mark stale streaming responses interrupted; return how many."""
    seconds = settings.CHAT_STALE_STREAM_SECONDS if stale_after is None else stale_after
    cutoff = timezone.now() - timedelta(seconds=seconds)
    stale = Message.objects.filter(state=Message.State.STREAMING, updated_at__lt=cutoff)
    ids = list(stale.values_list("id", flat=True))
    count = Message.objects.filter(id__in=ids, state=Message.State.STREAMING).update(
        state=Message.State.INTERRUPTED, updated_at=timezone.now()
    )
    ToolStep.objects.filter(message_id__in=ids, state=ToolStep.State.RUNNING).update(
        state=ToolStep.State.CANCELLED, result="The server stopped before the tool finished."
    )
    if count:
        log.warning("marked %d response(s) interrupted: their web process stopped", count)
    return count


def start_sweeper() -> None:
    """Sweep now and then every half stale period, on a daemon thread (once per process)."""
    interval = settings.CHAT_STALE_STREAM_SECONDS / 2
    failed = "sweeping interrupted responses failed"
    periodic.every(interval, "parley-recovery", mark_interrupted, failed)
