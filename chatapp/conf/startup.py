"""Start-up: turn configuration errors into one line, and check required services."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")
log = logging.getLogger(__name__)


class StartupError(ImproperlyConfigured):
    """A dependency the configuration names is not usable."""


def or_exit(start: Callable[[], T]) -> T:
    """Run `start`; on a configuration error print one line and exit with status 2."""
    try:
        return start()
    except ImproperlyConfigured as error:
        print(f"parley: {error}", file=sys.stderr)
        raise SystemExit(2) from None


def check_redis(uri: str, ca: str | None = None, timeout: float = 3.0) -> None:
    import redis

    kwargs = {"ssl_ca_certs": ca} if ca else {}
    client = redis.Redis.from_url(uri, socket_connect_timeout=timeout, **kwargs)
    try:
        client.ping()
    except redis.RedisError as error:
        raise StartupError(f"REDIS_URI={uri!r} is unreachable: {error}") from None
    finally:
        client.close()


def check_services() -> None:
    """Production mode needs its Redis at start-up (the edges check the config first)."""
    from django.conf import settings

    if settings.REDIS_URI:
        check_redis(settings.REDIS_URI, settings.REDIS_CA)
