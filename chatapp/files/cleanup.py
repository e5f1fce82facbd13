"""Uploads never attached to a message are removed a day after their upload.

`sweep(now)` runs from Celery beat (chatapp.tasks.delete_unattached_files) or,
on the embedded default, from a daemon thread of the web process. Avatars are
never swept: they are attached to their user, not to a message.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import close_old_connections

from chatapp.files import uploads
from chatapp.models import StoredFile

log = logging.getLogger(__name__)
UNATTACHED_FOR = timedelta(days=1)
_sweeper: threading.Thread | None = None


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


def _sweep_forever(interval: int) -> None:
    from django.utils import timezone

    while True:
        try:
            sweep(timezone.now())
        except Exception:  # the database may be briefly unreachable; try again later
            log.exception("deleting unattached uploads failed")
        finally:
            close_old_connections()
        time.sleep(interval)


def start_sweeper() -> None:
    """Embedded (no Celery beat): sweep now and every FILE_SWEEP_SECONDS, once per process."""
    global _sweeper
    if _sweeper is None and settings.CELERY_TASK_ALWAYS_EAGER:
        _sweeper = threading.Thread(
            target=_sweep_forever,
            args=(settings.FILE_SWEEP_SECONDS,),
            name="parley-files",
            daemon=True,
        )
        _sweeper.start()
