"""Work a web process repeats on a daemon thread of its own (the embedded default's
stand-in for Celery beat, and the recovery sweep every process runs).

`every` runs a job now and then every so many seconds, once per name per process.
A failing run is logged and the job tried again next time (the database may be
briefly unreachable); each run ends with its thread's stale connections closed,
as a request's would.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from django.db import close_old_connections

log = logging.getLogger(__name__)
_threads: dict[str, threading.Thread] = {}
_lock = threading.Lock()


def every(seconds: float, name: str, job: Callable[[], object], failure: str) -> bool:
    """Start `job` on the daemon thread `name`, now and every `seconds`; False when that
    thread already runs in this process. `failure` is logged when a run raises."""
    with _lock:
        if name in _threads:
            return False
        thread = threading.Thread(
            target=_forever, args=(seconds, job, failure), name=name, daemon=True
        )
        _threads[name] = thread
    thread.start()
    return True


def _forever(seconds: float, job: Callable[[], object], failure: str) -> None:
    while True:
        try:
            job()
        except Exception:
            log.exception(failure)
        finally:
            close_old_connections()
        time.sleep(seconds)
