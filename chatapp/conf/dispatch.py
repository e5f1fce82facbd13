"""Hand a Celery task to the worker, or run it in-process on the embedded default.

In production `enqueue` is `task.delay`. Embedded (no broker), the task runs on
a small background thread pool, so neither the event loop nor the thread that
serves database calls for async code waits on it.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from celery import Task
from celery.exceptions import TimeoutError as CeleryTimeout
from django.conf import settings
from django.db import connections

_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="parley-task")


def _run_eagerly(task: Task, args: tuple, kwargs: dict) -> Any:
    try:
        return task.apply(args=args, kwargs=kwargs).get(propagate=False)
    finally:
        # A pool thread outlives its task: it must not keep a connection (nor a
        # half-finished transaction) for whichever task it runs next.
        connections.close_all()


async def call(task: Task, *args: Any, within: float) -> Any:
    """Run `task` and await its return value; TimeoutError after `within` seconds.

    In production the task runs on a worker and its result comes back through
    the result backend; it expires unstarted after `within`, so a late worker
    never acts on it. Embedded, it runs on the in-process pool.
    """
    if settings.CELERY_TASK_ALWAYS_EAGER:
        future = _pool.submit(_run_eagerly, task, args, {})
        return await asyncio.wait_for(asyncio.wrap_future(future), within)
    result = task.apply_async(args=args, expires=within)
    try:
        return await asyncio.to_thread(result.get, timeout=within, propagate=False)
    except CeleryTimeout:
        raise TimeoutError(f"task {task.name} gave no result within {within:g}s") from None
    finally:
        result.forget()


def enqueue(task: Task, *args: Any, **kwargs: Any) -> Future | None:
    """Queue `task`; embedded, returns the Future of its in-process run."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return _pool.submit(_run_eagerly, task, args, kwargs)
    task.delay(*args, **kwargs)
    return None
