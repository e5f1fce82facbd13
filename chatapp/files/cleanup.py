"""Uploads never attached to a message are removed a day after their upload.

`sweep(now)` runs from Celery beat (chatapp.tasks.delete_unattached_files) or,
on the embedded default, from a daemon thread of the web process. Avatars are
never swept: they are attached to their user, not to a message.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from chatapp.conf import periodic
from chatapp.files import uploads
from chatapp.models import StoredFile

log = logging.getLogger(__name__)
UNATTACHED_FOR = timedelta(days=1)
FAILED = "deleting unattached uploads failed"


def sweep(now: datetime) -> int:
    """Delete every upload older than a day that no message took; how many went."""
    stale = StoredFile.objects.filter(
        attached_at__isnull=True, created_at__lt=now - UNATTACHED_FOR
    ).exclude(kind=StoredFile.Kind.AVATAR)
    count = 0
    for stored in stale.iterator():
        uploads.delete(stored)
        count += 1
    if count:
        log.info("deleted %d upload(s) never attached to a message", count)
    return count


def start_sweeper() -> None:
    """Embedded (no Celery beat): sweep now and every FILE_SWEEP_SECONDS, once per process."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        periodic.every(settings.FILE_SWEEP_SECONDS, "parley-files", _now, FAILED)


def _now() -> int:
    return sweep(timezone.now())
