"""Fail-over across an endpoint's channels: the adapter of an endpoint with several keys.

The registry hands this out instead of the plain adapter when an endpoint lists
several keys or base URLs (`Endpoint.channels`), so chat turns, titles, the API
and every other caller of `Registry.adapter` fail over alike. An Azure channel
serves its group's models only: a request tries the channels of its model's group.

A request goes to the channel of the highest priority, picked by weight among
equals; benched channels (endpoints/breaker.py) are passed over, and one whose
cooldown is over is tried by a single request, its probe. A request that fails
before its first event with an authentication error, a 429, a 5xx, a timeout or a
dropped connection is retried once on the next channel; once any event has reached
the caller it is never retried (the user would see the text twice). Each channel's
adapter makes no retries of its own: the next key is the retry.
"""

from __future__ import annotations

import logging
import random
from collections.abc import AsyncIterator, Callable
from contextlib import aclosing
from dataclasses import replace
from types import MappingProxyType

from endpoints.adapters.base import (
    ChatAdapter,
    ChatRequest,
    Completion,
    ErrorKind,
    ProviderError,
    RequestContext,
    StreamEvent,
)
from endpoints.adapters.common import collect
from endpoints.breaker import Breaker, State, Status, channel_id
from endpoints.endpoint import Channel, Endpoint

log = logging.getLogger(__name__)

ATTEMPTS = 2  # the first channel and one retry
# Failures of the key or its server, not of the request: another key may well succeed.
FAILING_OVER = {ErrorKind.AUTHENTICATION, ErrorKind.RATE_LIMITED, ErrorKind.UNAVAILABLE}


def channel_endpoint(endpoint: Endpoint, channel: Channel) -> Endpoint:
    """The endpoint as one channel sees it: its key and base URL, no channels (an Azure
    channel: its group's deployments on its key and instance URL; a Bedrock channel: its
    AWS credentials and region)."""
    if channel.group:
        azure = {
            model: replace(d, api_key=channel.api_key, base_url=channel.base_url or d.base_url)
            if d.group == channel.group
            else d
            for model, d in endpoint.azure.items()
        }
        return replace(endpoint, azure=MappingProxyType(azure), channels=())
    if channel.bedrock is not None:
        return replace(endpoint, bedrock=channel.bedrock, channels=())
    return replace(
        endpoint,
        api_key=channel.api_key,
        base_url=channel.base_url,
        key_source=channel.key_source,
        channels=(),
    )


def serving(endpoint: Endpoint, model: str) -> tuple[Channel, ...]:
    """The channels that serve `model` (an Azure model: its group's; "": every channel)."""
    deployment = endpoint.azure.get(model) if model else None
    if deployment is None:
        return endpoint.channels
    return tuple(c for c in endpoint.channels if c.group in ("", deployment.group))


def model_for(endpoint: Endpoint, channel: Channel | None) -> str:
    """A model a channel serves, for its scheduled check: its Azure group's first."""
    if channel is not None and channel.group:
        return next(m for m, d in endpoint.azure.items() if d.group == channel.group)
    return endpoint.models.default[0]


def weighted_order(channels: list[Channel], rng: random.Random) -> list[Channel]:
    """Highest priority first; among equals a shuffle where weight 3 leads three times as
    often as weight 1 (Efraimidis-Spirakis: sort by u^(1/w))."""
    return sorted(channels, key=lambda c: (-c.priority, -(rng.random() ** (1 / c.weight))))


class FailoverAdapter:
    def __init__(
        self,
        endpoint: Endpoint,
        adapter_for: Callable[[Endpoint], ChatAdapter],
        breaker: Breaker,
        rng: random.Random | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.breaker = breaker
        self._rng = rng or random.Random()
        self._ids = {c: channel_id(endpoint, c) for c in endpoint.channels}
        self._adapters = {c: adapter_for(channel_endpoint(endpoint, c)) for c in endpoint.channels}

    def adapter(self, channel: Channel) -> ChatAdapter:
        return self._adapters[channel]

    async def plan(self, model: str = "") -> list[tuple[Channel, Status]]:
        """Every channel serving `model` in the order to try them, with its status: the
        usable ones (ok, or probing), then the benched ones, soonest back first (a last
        resort: a benched key that answers is back)."""
        now = self.breaker.clock()
        channels = serving(self.endpoint, model)
        found = await self.breaker.astates([self._ids[c] for c in channels])
        states: dict[Channel, State] = {c: found[self._ids[c]] for c in channels}
        ordered = weighted_order(list(channels), self._rng)
        usable = [c for c in ordered if states[c].status(now) != "benched"]
        benched = sorted(
            (c for c in ordered if c not in usable), key=lambda c: states[c].until or 0.0
        )
        return [(c, states[c].status(now)) for c in usable + benched]

    async def candidates(self) -> list[Channel]:
        return [channel for channel, _ in await self.plan()]

    async def attempts(self, model: str = "") -> AsyncIterator[Channel]:
        """The channels this request tries, at most ATTEMPTS; a probing one only when this
        request wins its probe (claimed when reached, so an unused claim never blocks one)."""
        given = 0
        for channel, status in await self.plan(model):
            if status == "probing" and not await self.breaker.aclaim_probe(self._ids[channel]):
                continue  # another request is probing it
            yield channel
            given += 1
            if given == ATTEMPTS:
                return

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        tried: list[Channel] = []
        last: ProviderError | None = None
        async with aclosing(self.attempts(request.model)) as attempts:
            async for channel in attempts:
                tried.append(channel)
                started = False
                try:
                    # Closed at once when the caller stops reading: the upstream request ends.
                    async with aclosing(self._adapters[channel].stream(request)) as events:
                        async for event in events:
                            started = True
                            yield event
                except ProviderError as error:
                    failed = error.kind in FAILING_OVER
                    await self.breaker.arecord(self._ids[channel], ok=not failed)
                    if started or not failed:
                        raise
                    log.warning(
                        "endpoint %s: %s failed before its first token (%s)",
                        self.endpoint.name,
                        channel.name,
                        error.kind,
                    )
                    last = error
                    continue
                await self.breaker.arecord(self._ids[channel], ok=True)
                return
        raise exhausted(self.endpoint.name, tried, last)

    async def complete(self, request: ChatRequest) -> Completion:
        return await collect(self.stream(request))

    async def list_models(self, context: RequestContext) -> list[str]:
        last: ProviderError | None = None
        tried: list[Channel] = []
        async with aclosing(self.attempts()) as attempts:
            async for channel in attempts:
                tried.append(channel)
                try:
                    return await self._adapters[channel].list_models(context)
                except ProviderError as error:
                    if error.kind not in FAILING_OVER:
                        raise
                    last = error
        raise exhausted(self.endpoint.name, tried, last)


def exhausted(name: str, tried: list[Channel], last: ProviderError | None) -> ProviderError:
    """One error naming the endpoint when every key tried failed (never a hang)."""
    if last is None:
        return ProviderError.unavailable(f"Endpoint {name} has no key to try.")
    keys = ", ".join(c.name for c in tried)
    return ProviderError(
        last.kind,
        f"Every key tried for endpoint {name} failed ({keys}); the last: {last.user_message}",
        retryable=last.retryable,
        status=last.status,
        retry_after=last.retry_after,
    )
