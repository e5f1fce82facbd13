"""Start-up: turn configuration errors into one line, and check required services."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")
logger = logging.getLogger("parley.config")
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


def check_config() -> None:
    """An invalid librechat.yaml stops start-up (ConfigError: one line per problem)."""
    from endpoints.config import current

    for problem in current().problems:
        logger.warning("%s", problem)


def check_services() -> None:
    """The configuration must be valid; production mode also needs its Redis at start-up."""
    from django.conf import settings

    check_config()
    if settings.REDIS_URI:
        check_redis(settings.REDIS_URI, settings.REDIS_CA)


def report_search() -> str:
    """Log which backend answers searches; an unreachable index is a warning, never fatal."""
    from chatapp.search.backends import status

    name, problem = status()
    if problem:
        log.warning("search: %s, %s", name, problem)
        return f"{name}, {problem}"
    log.info("search: %s", name)
    return name
