"""Database work from async code, on a few threads of its own (DATABASE_THREADS).

channels' `database_sync_to_async` runs every call on one thread (it is thread
sensitive), so in a burst each user's turn waits behind every other user's
database round trips (bench/README.md, issue 18). `run` uses a small pool of
threads instead, each with its own connection, so that one turn's wait on the
database does not hold up the others'.

Each call is one unit of work, as a request is: when it ends, its thread's
connection is closed if it errored or outlived CONN_MAX_AGE, and, with
DATABASE_POOL, handed back to the pool (CONN_MAX_AGE is then 0), so a thread
never keeps a pooled connection between units. No unit is left inside a
transaction: `close_old_connections` closes a connection found in one.

CONN_HEALTH_CHECKS makes Django test a persistent connection (a `SELECT 1`, one round
trip) before each unit uses it. A thread's connection used less than FRESH seconds
ago is not tested again: in a burst every turn's unit paid that round trip, and a
connection that broke since fails its unit as it would have failed the check a moment
later (the unit's error closes it, and the next unit opens a new one).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

from asgiref.sync import SyncToAsync
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, close_old_connections, connections

P = ParamSpec("P")
T = TypeVar("T")

_pool: ThreadPoolExecutor | None = None
_workers = 0  # the pool's size
_lock = threading.Lock()
_busy = 0  # units running or queued (GET /metrics)
FRESH = 1.0  # seconds since a thread's last unit within which its connection is not tested
_last = threading.local()  # each thread's `ended_at`: time.monotonic() when its last unit ended


def executor() -> ThreadPoolExecutor:
    """The pool of database threads, started on first use."""
    global _pool, _workers
    with _lock:
        if _pool is None:
            _workers = settings.DATABASE_THREADS
            _pool = ThreadPoolExecutor(_workers, thread_name_prefix="parley-db")
        return _pool


async def run(fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """`fn(*args, **kwargs)` on a database thread, awaited."""
    global _busy
    call = SyncToAsync(_unit, thread_sensitive=False, executor=executor())
    _busy += 1  # only the event loop's thread counts, so no lock
    try:
        return await call(fn, *args, **kwargs)
    finally:
        _busy -= 1


def busy() -> int:
    """Database units running or waiting for a thread, in this process."""
    return _busy


def _unit(fn: Callable[..., T], *args: object, **kwargs: object) -> T:
    if time.monotonic() - getattr(_last, "ended_at", float("-inf")) < FRESH:
        # Django's own flag: the connection counts as tested for this unit.
        connections[DEFAULT_DB_ALIAS].health_check_done = True
    try:
        return fn(*args, **kwargs)
    finally:
        close_old_connections()
        _last.ended_at = time.monotonic()


def shut_down() -> None:
    """Close every database thread's connection and end the threads (tests, shutdown).

    Each thread closes its own: a job per thread, held at a barrier so that no
    thread takes two of them."""
    global _pool
    with _lock:
        pool, _pool, workers = _pool, None, _workers
    if pool is None:
        return
    barrier = threading.Barrier(workers)

    def close_mine() -> None:
        connections.close_all()
        barrier.wait(timeout=10)

    jobs = [pool.submit(close_mine) for _ in range(workers)]
    for job in jobs:
        job.result()
    pool.shutdown(wait=True)
