"""Dependency checks behind GET /health: each one does real work against its service."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import connection

Check = Callable[[], str]


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


def check_cache() -> str:
    key, value = f"health:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, timeout=10)
    try:
        if cache.get(key) != value:
            raise RuntimeError("value written was not read back")
    finally:
        cache.delete(key)
    return "redis" if settings.REDIS_URI else "local-memory"


def check_channel_layer() -> str:
    layer = get_channel_layer()

    async def round_trip() -> None:
        channel = await layer.new_channel()
        await layer.send(channel, {"type": "health.ping"})
        message = await layer.receive(channel)
        if message.get("type") != "health.ping":
            raise RuntimeError("message sent was not received")

    async_to_sync(round_trip)()
    return "redis" if settings.REDIS_URI else "in-memory"


def check_broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "in-process"
    from chatapp.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=3)
    return "redis"


def check_search() -> str:
    """Reports the fallback instead of failing: search keeps working on the database."""
    from chatapp.search.backends import describe

    return describe()


def check_mcp() -> str:
    """The app-level MCP servers' states; a down server is reported, never a failure."""
    from chatapp.tools.mcp.servers import health

    return health()


CHECKS: dict[str, Check] = {
    "database": check_database,
    "cache": check_cache,
    "channel_layer": check_channel_layer,
    "broker": check_broker,
    "search": check_search,
    "mcp": check_mcp,
}


def run_checks(checks: dict[str, Check] = CHECKS) -> tuple[bool, dict[str, str]]:
    """Run every check; returns (all healthy, {name: backend or 'error: …'})."""
    report: dict[str, str] = {}
    healthy = True
    for name, check in checks.items():
        try:
            report[name] = f"ok ({check()})"
        except Exception as error:  # any failure of the service is a finding, not a crash
            healthy = False
            report[name] = f"error: {type(error).__name__}: {error}"[:300]
    return healthy, report
