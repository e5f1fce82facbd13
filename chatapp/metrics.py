"""What an operator watches, in Prometheus's format: `GET /metrics` (docs/deployment.md).

The figures are per web process (each process serves its own; scrape every
one), as `bench/stream_load.py` measures them: a turn's clock starts when its
frame arrives, so the time to the provider and to the first token include the
guards, the saves and any queueing inside Parley.
"""

from __future__ import annotations

import hmac
from typing import Any

from django.db import connections
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

from chatapp.conf import dbthreads

# Seconds: a quiet turn takes a few milliseconds; a burst can queue for seconds.
LATENCY = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)

turns = Counter("parley_turns", "Turns accepted (send, regenerate, edit)", ["kind"])
active_streams = Gauge("parley_active_streams", "Generations running in this process")
time_to_provider = Histogram(
    "parley_time_to_provider_seconds",
    "From a turn's frame arriving to its request being handed to the provider's SDK",
    buckets=LATENCY,
)
time_to_first_token = Histogram(
    "parley_time_to_first_token_seconds",
    "From a turn's frame arriving to its first text being sent to the sockets",
    buckets=LATENCY,
)
tokens = Counter("parley_tokens", "Tokens of finished responses, as billed", ["kind"])
tool_steps = Counter("parley_tool_steps", "Tool steps ended, by how", ["state"])
errors = Counter(
    "parley_errors",
    "Turns refused before any provider call (stage=refused, by code), generations "
    "ended by a provider error (stage=provider, by kind) and answers the database did not "
    "take (stage=database, kind=not_saved)",
    ["stage", "kind"],
)

database_units = Gauge(
    "parley_database_units", "The engine's database units running or waiting for a thread"
)
database_units.set_function(dbthreads.busy)
database_pool = Gauge(
    "parley_database_pool_connections",
    "psycopg's connection pool (DATABASE_POOL_SIZE): its size, idle connections and "
    "the requests waiting for one",
    ["state"],
)
POOL_STATS = {"size": "pool_size", "idle": "pool_available", "waiting": "requests_waiting"}

CONTENT_TYPE = CONTENT_TYPE_LATEST


def exposition() -> bytes:
    """Every figure of this process, in the text format."""
    _read_pool()
    return generate_latest()


def _read_pool() -> None:
    pool = getattr(connections["default"], "pool", None)  # only PostgreSQL has one
    if pool is not None:
        record_pool(pool)


def record_pool(pool: Any) -> None:
    """A psycopg_pool.ConnectionPool's figures, as they are now."""
    stats = pool.get_stats()
    for state, key in POOL_STATS.items():
        database_pool.labels(state).set(stats.get(key, 0))


def may_read(token: str, authorization: str, is_staff: bool) -> bool:
    """Staff, or a scraper that presents `METRICS_TOKEN` as a bearer token."""
    if is_staff:
        return True
    scheme, _, presented = authorization.partition(" ")
    return bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(presented, token)
