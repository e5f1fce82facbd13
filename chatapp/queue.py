"""Hand a Celery task to the worker, or run it in-process on the embedded default.

In production `enqueue` is `task.delay`. Embedded (no broker), the task runs on
a small background thread pool, so neither the event loop nor the thread that
serves database calls for async code waits on it.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from celery import Task
from django.conf import settings
from django.db import close_old_connections

_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="parley-task")


def _run_eagerly(task: Task, args: tuple, kwargs: dict) -> Any:
    close_old_connections()
    try:
        return task.apply(args=args, kwargs=kwargs).get(propagate=False)
    finally:
        close_old_connections()


def enqueue(task: Task, *args: Any, **kwargs: Any) -> Future | None:
    """Queue `task`; embedded, returns the Future of its in-process run."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return _pool.submit(_run_eagerly, task, args, kwargs)
    task.delay(*args, **kwargs)
    return None
