"""Scheduled checks of every endpoint's keys (seed 004's CHANNEL_TEST_FREQUENCY).

Every `CHANNEL_TEST_FREQUENCY` minutes Celery beat runs `chatapp.tasks.check_channels`,
which sends `TEST_PROMPT` to the first model of each available endpoint that runs on
the operator's key, once per key of a fail-over endpoint, and saves a `ChannelCheck`
per key (shown in the admin). The outcome is recorded in the circuit breaker
(endpoints/breaker.py) as a request's would be, so a benched key whose check
succeeds is back at once. Endpoints on users' own keys are left out (there is no
key to check), and so are unavailable ones.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import timedelta

from asgiref.sync import async_to_sync
from django.conf import settings
from django.utils import timezone

from chatapp.models import ChannelCheck
from endpoints import registry as registries
from endpoints import requests
from endpoints.adapters.base import ChatAdapter, ChatMessage, ProviderError
from endpoints.breaker import channel_id
from endpoints.endpoint import Channel, Endpoint
from endpoints.failover import FAILING_OVER, FailoverAdapter, model_for
from endpoints.report import credentials, mask

CHECK_TIMEOUT = 60.0  # seconds for one key's answer
KEEP = timedelta(days=30)  # older checks are deleted by the next run
REPLY_CHARS = 300


@dataclass(frozen=True)
class Target:
    endpoint: Endpoint
    channel: Channel | None  # None: an endpoint with one key
    adapter: ChatAdapter


def targets(registry: registries.Registry) -> list[Target]:
    """Each key to check: one per channel of a fail-over endpoint, else one per endpoint."""
    found = []
    for endpoint in registry.config.available():
        if endpoint.takes_user_credentials or not endpoint.models.default:
            continue
        adapter = registry.adapter(endpoint.name)
        if isinstance(adapter, FailoverAdapter):
            found += [Target(endpoint, c, adapter.adapter(c)) for c in endpoint.channels]
        else:
            found.append(Target(endpoint, None, adapter))
    return found


async def check(target: Target, prompt: str) -> tuple[str, ProviderError | None, float]:
    """The reply's start, the failure if any, and the seconds it took."""
    endpoint = target.endpoint
    model = model_for(endpoint, target.channel)
    request = requests.build(endpoint, model, [ChatMessage("user", prompt)])
    started = time.monotonic()
    try:
        async with asyncio.timeout(CHECK_TIMEOUT):
            completion = await target.adapter.complete(request)
    except ProviderError as error:
        return "", error, time.monotonic() - started
    except TimeoutError:
        late = ProviderError.unavailable(f"Endpoint {endpoint.name} did not answer in time.")
        return "", late, time.monotonic() - started
    return completion.text[:REPLY_CHARS], None, time.monotonic() - started


def record(target: Target, reply: str, error: ProviderError | None, seconds: float, breaker):
    """The check's row, after the breaker has heard of it (a fail-over key only)."""
    endpoint, channel = target.endpoint, target.channel
    state = ""
    if channel is not None:
        cid = channel_id(endpoint, channel)
        breaker.record(cid, ok=error is None or error.kind not in FAILING_OVER)
        state = breaker.describe(cid)
    return ChannelCheck(
        endpoint=endpoint.name,
        channel=channel.name if channel else "key",
        key=mask(channel.api_key) if channel else credentials(endpoint)[:100],
        base_url=(channel.base_url if channel else endpoint.base_url) or "",
        model=model_for(endpoint, channel),
        ok=error is None,
        error=error.user_message if error else "",
        reply=reply,
        latency_ms=round(seconds * 1000),
        state=state,
    )


async def _check_all(found: list[Target], prompt: str) -> list:
    return await asyncio.gather(*(check(target, prompt) for target in found))


def run(registry: registries.Registry | None = None, prompt: str | None = None) -> int:
    """Check every key once; save and return how many were checked."""
    registry = registry or registries.current()
    prompt = prompt or settings.TEST_PROMPT
    found = targets(registry)
    results = async_to_sync(_check_all)(found, prompt) if found else []
    rows = [
        record(target, reply, error, seconds, registry.breaker)
        for target, (reply, error, seconds) in zip(found, results, strict=True)
    ]
    ChannelCheck.objects.bulk_create(rows)
    ChannelCheck.objects.filter(checked_at__lt=timezone.now() - KEEP).delete()
    return len(rows)
