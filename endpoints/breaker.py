"""The circuit breaker of an endpoint's channels (keys/base URLs), with seed 004's semantics.

`ENABLE_METRIC` turns it on. Each channel keeps its latest `METRIC_QUEUE_SIZE`
outcomes; when the queue is full and the share of successes falls below
`METRIC_SUCCESS_RATE_THRESHOLD`, the channel is benched for
`METRIC_COOLDOWN_SECONDS` (Parley's addition: the seed only re-enables a channel
through its periodic test). When the cooldown is over, one request (claimed
atomically, so only one) probes the channel: a success brings it back with a
fresh queue, a failure benches it for another cooldown. A successful scheduled
check (chatapp.channelchecks) brings it back too.

State lives in Django's cache: Redis in production, so every web process and
the worker share it; the local-memory cache of the embedded default is per
process (there is only one). Updates are read-modify-write: two processes
recording at the same instant may lose one outcome, which only delays a bench.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from django.core.cache import cache as default_cache

from endpoints.endpoint import Channel, Endpoint

Status = Literal["ok", "benched", "probing"]
KEEP = 7 * 24 * 3600  # seconds a channel's state outlives its last update


@dataclass(frozen=True)
class Policy:
    enabled: bool = False  # ENABLE_METRIC
    queue_size: int = 10  # METRIC_QUEUE_SIZE
    threshold: float = 0.8  # METRIC_SUCCESS_RATE_THRESHOLD
    cooldown: float = 300.0  # METRIC_COOLDOWN_SECONDS

    @classmethod
    def from_settings(cls) -> Policy:
        from django.conf import settings

        return cls(
            enabled=getattr(settings, "ENABLE_METRIC", False),
            queue_size=getattr(settings, "METRIC_QUEUE_SIZE", 10),
            threshold=getattr(settings, "METRIC_SUCCESS_RATE_THRESHOLD", 0.8),
            cooldown=getattr(settings, "METRIC_COOLDOWN_SECONDS", 300.0),
        )


@dataclass(frozen=True)
class State:
    """A channel's outcomes ("1" success, "0" failure, oldest first) and its bench."""

    results: str = ""
    until: float | None = None  # benched until (wall clock); None: not benched

    def status(self, now: float) -> Status:
        if self.until is None:
            return "ok"
        return "benched" if now < self.until else "probing"

    def rate(self) -> float | None:
        return self.results.count("1") / len(self.results) if self.results else None

    def describe(self, now: float, policy: Policy) -> str:
        """For check_config and the admin: 'ok 9/10', 'benched 120 s', 'probing'."""
        status = self.status(now)
        if status == "benched" and self.until is not None:
            return f"benched {self.until - now:.0f} s"
        if status == "probing" or not policy.enabled:
            return status
        return f"ok {self.results.count('1')}/{len(self.results)}" if self.results else "ok"


def channel_id(endpoint: Endpoint | str, channel: Channel) -> str:
    """A stable id for a channel that never shows its key."""
    name = endpoint if isinstance(endpoint, str) else endpoint.name
    text = f"{name}\n{channel.base_url}\n{channel.api_key}"
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def after(state: State, ok: bool, policy: Policy, now: float) -> State:
    """The state once outcome `ok` is recorded."""
    if state.until is not None:  # a probe (or a request that raced it) answered
        return State("1") if ok else State("", now + policy.cooldown)
    results = (state.results + ("1" if ok else "0"))[-policy.queue_size :]
    rate = results.count("1") / len(results)
    if not ok and len(results) >= policy.queue_size and rate < policy.threshold:
        return State("", now + policy.cooldown)
    return State(results)


class Breaker:
    def __init__(
        self,
        policy: Policy | None = None,
        cache: Any = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.policy = policy or Policy()
        self.cache = cache or default_cache
        self.clock = clock

    @staticmethod
    def _key(cid: str) -> str:
        return f"parley:channel:{cid}"

    @staticmethod
    def _read(raw: Any) -> State:
        return State(raw["results"], raw["until"]) if isinstance(raw, dict) else State()

    @staticmethod
    def _stored(state: State) -> dict[str, Any]:
        return {"results": state.results, "until": state.until}

    # -- async (the request path) ------------------------------------------------
    async def astate(self, cid: str) -> State:
        if not self.policy.enabled:
            return State()
        return self._read(await self.cache.aget(self._key(cid)))

    async def astates(self, cids: list[str]) -> dict[str, State]:
        """Several channels' states in one round trip (a request's candidates)."""
        if not self.policy.enabled:
            return {cid: State() for cid in cids}
        found = await self.cache.aget_many([self._key(cid) for cid in cids])
        return {cid: self._read(found.get(self._key(cid))) for cid in cids}

    async def arecord(self, cid: str, ok: bool) -> State:
        if not self.policy.enabled:
            return State()
        state = after(await self.astate(cid), ok, self.policy, self.clock())
        await self.cache.aset(self._key(cid), self._stored(state), KEEP)
        if state.until is None or not ok:
            await self.cache.adelete(self._key(cid) + ":probe")
        return state

    async def aclaim_probe(self, cid: str) -> bool:
        """Whether this request is the one that probes a channel whose cooldown is over."""
        timeout = max(1, int(self.policy.cooldown))
        return await self.cache.aadd(self._key(cid) + ":probe", 1, timeout)

    # -- sync (check_config, the scheduled checks, the admin) --------------------
    def state(self, cid: str) -> State:
        if not self.policy.enabled:
            return State()
        return self._read(self.cache.get(self._key(cid)))

    def record(self, cid: str, ok: bool) -> State:
        if not self.policy.enabled:
            return State()
        state = after(self.state(cid), ok, self.policy, self.clock())
        self.cache.set(self._key(cid), self._stored(state), KEEP)
        if state.until is None or not ok:
            self.cache.delete(self._key(cid) + ":probe")
        return state

    def describe(self, cid: str) -> str:
        return self.state(cid).describe(self.clock(), self.policy)
