"""Temporary chats: kept out of the sidebar, search and bookmarks, deleted once expired.

- `interface.temporaryChat` (default true): users may start a temporary chat.
- `interface.temporaryChatRetention` (hours, 1 to 8760, default 720): a temporary chat
  is deleted that long after it started, by `sweep` (the Celery beat task
  `chatapp.tasks.delete_expired_chats`; embedded, a thread of the web process).

A chat is temporary when its `expires_at` is set, which happens only when it starts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from chatapp.conf import periodic
from chatapp.models import Conversation
from chatapp.search import sync
from endpoints import config as endpoint_config
from endpoints.sections import Interface

log = logging.getLogger(__name__)
DEFAULT_RETENTION_HOURS = 720
SWEEP_BATCH = 500
UNSAVED_RETENTION = timedelta(hours=1)


class Disabled(Exception):
    """`interface.temporaryChat` is off."""


@dataclass(frozen=True)
class Policy:
    enabled: bool
    retention: timedelta


def policy_from(interface: Interface | None) -> Policy:
    switch = interface.temporaryChat if interface else None
    hours = interface.temporaryChatRetention if interface else None
    return Policy(switch is not False, timedelta(hours=hours or DEFAULT_RETENTION_HOURS))


def policy() -> Policy:
    """The running server's rules, from librechat.yaml."""
    file = endpoint_config.current().file
    return policy_from(file.interface if file else None)


def expiry(now: datetime) -> datetime:
    """When a temporary chat started at `now` is deleted; Disabled when the switch is off."""
    rules = policy()
    if not rules.enabled:
        raise Disabled("Temporary chats are turned off on this server.")
    return now + rules.retention


def backstop(now: datetime) -> datetime:
    """When an unsaved chat (an API request, chatapp.engine.records) is swept if its turn
    never deleted it (a process that died): soon, whatever the switches say."""
    return now + UNSAVED_RETENTION


def sweep(now: datetime) -> int:
    """Delete every temporary chat expired at `now` (with its messages); return how many."""
    deleted = 0
    while ids := list(
        Conversation.objects.filter(expires_at__lte=now).values_list("id", flat=True)[:SWEEP_BATCH]
    ):
        with transaction.atomic():
            Conversation.objects.filter(id__in=ids).delete()
            for conversation_id in ids:
                sync.conversation_deleted(conversation_id)
        deleted += len(ids)
    if deleted:
        log.info("deleted %d expired temporary chat(s)", deleted)
    return deleted


def start_sweeper() -> None:
    """Embedded (no Celery beat): sweep now and every TEMPORARY_CHAT_SWEEP_SECONDS, on a
    daemon thread of the web process (once per process)."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        failed = "deleting expired temporary chats failed"
        periodic.every(settings.TEMPORARY_CHAT_SWEEP_SECONDS, "parley-temporary", _now, failed)


def _now() -> int:
    return sweep(timezone.now())
