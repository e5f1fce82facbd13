"""Message rate limits and the concurrent-message limit, on atomic cache counters.

The counters live in Django's default cache: Redis (django-redis, shared by every
web process) in production, the local-memory cache on the embedded default.
Both `add` and `incr` are atomic there, so no two processes can both take the
last slot.

- `hit_window(name, subject, limit, window_seconds)` counts one request in the
  current fixed window (aligned to the epoch) and says whether it fits, and
  when the window resets.
- `take_slot(user_id, limit)` / `release_slot(user_id)` bound the generations a
  user has in flight (LIMIT_CONCURRENT_MESSAGES).
A cache outage never refuses anyone: the limit is skipped with a logged warning
(fail open, as LibreChat's limiters do).
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from django.core.cache import cache

log = logging.getLogger(__name__)

# A slot left behind by a crashed process frees itself after this long.
SLOT_TTL_SECONDS = 15 * 60


def _cache_errors() -> tuple[type[BaseException], ...]:
    from redis.exceptions import RedisError

    try:
        from django_redis.exceptions import ConnectionInterrupted
    except ImportError:  # django-redis is a dependency, but keep the guard importable
        return (RedisError, OSError)
    return (RedisError, ConnectionInterrupted, OSError)


CACHE_ERRORS = _cache_errors()


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: int  # requests counted in this window (0 when the cache was down)
    retry_at: float  # epoch seconds when the window resets


def _increment(key: str, timeout: float) -> int:
    """Atomically add one to `key`, creating it (with `timeout`) when absent."""
    for _ in range(3):
        cache.add(key, 0, timeout=max(1, math.ceil(timeout)))
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr: create it again
            continue
    raise ValueError(f"counter {key} keeps expiring")


def hit_window(name: str, subject: str, limit: int, window_seconds: float) -> Verdict:
    """Count one request by `subject` against `limit` per `window_seconds`."""
    now = time.time()
    index = int(now // window_seconds)
    retry_at = (index + 1) * window_seconds
    key = f"limit:{name}:{subject}:{index}"
    try:
        count = _increment(key, retry_at - now + 1)
    except CACHE_ERRORS as error:
        log.warning("rate limit %s skipped: cache unavailable (%s)", name, error)
        return Verdict(True, 0, retry_at)
    return Verdict(count <= limit, count, retry_at)


def _slot_key(user_id: object) -> str:
    return f"limit:concurrent:{user_id}"


def take_slot(user_id: object, limit: int) -> bool:
    """Claim one of `limit` in-flight generations for the user; False when all are taken."""
    key = _slot_key(user_id)
    try:
        if _increment(key, SLOT_TTL_SECONDS) <= limit:
            return True
        cache.decr(key)
    except CACHE_ERRORS as error:
        log.warning("concurrent limit skipped: cache unavailable (%s)", error)
        return True
    return False


def release_slot(user_id: object) -> None:
    """Give back a slot taken by `take_slot` (a missing counter has already expired)."""
    try:
        if cache.decr(_slot_key(user_id)) < 0:
            cache.delete(_slot_key(user_id))
    except ValueError:
        pass
    except CACHE_ERRORS as error:
        log.warning("concurrent slot not released: cache unavailable (%s)", error)


def slots_in_use(user_id: object) -> int:
    try:
        return int(cache.get(_slot_key(user_id)) or 0)
    except CACHE_ERRORS:
        return 0
