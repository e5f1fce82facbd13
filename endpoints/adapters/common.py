"""What every adapter shares: credentials, SDK clients per event loop, the stream wrapper.

`BaseAdapter.stream` wraps a subclass's `_events` so that every adapter
translates failures the same way, reports usage even when the provider does
not (counted locally), and keeps the text already streamed when a stream is
cut: the events before the error have been yielded; the error says what broke.
Usage a provider reports passes `usage_problem` first (DESIGN.md §4: never
negative): figures that are not whole numbers within bounds are logged and
replaced by the local count, so a provider, or a user's own base URL, can
never make a charge a credit.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import logging
import weakref
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Hashable
from typing import Any

from django.conf import settings

from endpoints import addresses, tokens
from endpoints.endpoint import USER_PROVIDED, Endpoint

from . import errors
from .base import (
    ChatRequest,
    Completion,
    DocumentPart,
    ImagePart,
    ProviderError,
    ReasoningDelta,
    RequestContext,
    StreamEvent,
    TextDelta,
    ToolCallDelta,
    Usage,
    tool_calls,
)

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 120.0  # seconds without a byte from the provider
CONNECT_TIMEOUT = 10.0
DEFAULT_RETRIES = 2  # SDK retries happen before the response starts, never mid-stream
# Per usage figure: far above any context window or output limit (2M tokens in 2025),
# far below what would overflow a bill.
MAX_REPORTED_TOKENS = 10_000_000
USAGE_FIGURES = ("prompt_tokens", "completion_tokens", "cache_read_tokens", "cache_write_tokens")


def sdk_http_client(sdk: Any, **options: Any) -> Any:
    """The SDK's own async HTTP client (`openai` or `anthropic`: its defaults, our
    options) on PROVIDER_HTTP_TRANSPORT: httpx, or aiohttp, which reads a stream
    for less CPU a token (bench/README.md). Both run the guard's request hook."""
    if settings.PROVIDER_HTTP_TRANSPORT == "aiohttp":
        return _closed_when_dropped(sdk.DefaultAioHttpClient)(**options)
    return sdk.DefaultAsyncHttpxClient(**options)


@functools.cache
def _closed_when_dropped(client_class: type) -> type:
    """`client_class`, closing itself once nothing holds it (a client `ClientCache` let go
    of: no stream reads through it any more), as the SDKs' own default client does. An
    aiohttp session left open is reported as an error and keeps its sockets until then."""

    class Closing(client_class):  # type: ignore[misc, valid-type]
        def __del__(self) -> None:
            if self.is_closed:
                return
            with contextlib.suppress(RuntimeError):  # no running loop: nothing to close on
                asyncio.get_running_loop().create_task(self.aclose())

    return Closing


class ClientCache:
    """SDK clients by key, per event loop (async HTTP clients belong to one loop)."""

    def __init__(self, factory: Callable[..., Any], size: int = 16) -> None:
        self._factory = factory
        self._size = size
        self._loops: weakref.WeakKeyDictionary[Any, OrderedDict] = weakref.WeakKeyDictionary()

    def get(self, *key: Hashable) -> Any:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return self._factory(*key)  # no loop: nothing to share with
        clients = self._loops.setdefault(loop, OrderedDict())
        if key not in clients:
            clients[key] = self._factory(*key)
            if len(clients) > self._size:
                clients.popitem(last=False)
        clients.move_to_end(key)
        return clients[key]


class BaseAdapter(ABC):
    """An adapter for one endpoint. Subclasses implement `_events` and `_translate`."""

    def __init__(
        self,
        endpoint: Endpoint,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_RETRIES,
    ) -> None:
        self.endpoint = endpoint
        self.timeout = timeout
        self.max_retries = max_retries

    # -- credentials ---------------------------------------------------------
    def api_key(self, context: RequestContext) -> str:
        key = self.endpoint.api_key
        if key == USER_PROVIDED:
            key = context.api_key
        if not key:
            raise errors.missing_key(self.endpoint.name)
        return key

    def base_url(self, context: RequestContext) -> str | None:
        if self.endpoint.base_url == USER_PROVIDED:
            return context.base_url or None
        return self.endpoint.base_url

    # -- user-provided base URLs (the SSRF guard, endpoints/addresses.py) ------
    def http_options(self) -> dict[str, Any]:
        """httpx client options: a user-provided base URL gets no redirects, and every
        request's host is checked again right before it is sent (DNS may have changed)."""
        if not self.endpoint.user_provides_url:
            return {}
        guard = addresses.request_guard(self.endpoint.allowed_addresses)
        return {"follow_redirects": False, "event_hooks": {"request": [guard]}}

    async def check_base_url(self, context: RequestContext) -> None:
        """Refuse a user's base URL that points inside, before the SDK is involved."""
        url = self.base_url(context) if self.endpoint.user_provides_url else None
        if url:
            try:
                await addresses.acheck(url, self.endpoint.allowed_addresses)
            except addresses.Refused as refusal:
                raise errors.refused(self.endpoint.name, refusal) from refusal

    def translated(self, error: Exception, model: str) -> ProviderError:
        """The ProviderError for `error`; re-raises `error` when it is no provider failure."""
        found = errors.refusal_in(self.endpoint.name, error) or self._translate(error, model)
        if found is None:
            raise error
        return found

    # -- streaming -----------------------------------------------------------
    @abstractmethod
    def _events(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        """The SDK's stream as events (each adapter reads its own wire format)."""

    @abstractmethod
    def _translate(self, error: Exception, model: str) -> ProviderError | None:
        """The ProviderError for an SDK exception, or None when it is not the SDK's."""

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        text: list[str] = []
        usage_seen = False  # whether the latest usage reported can be billed
        try:
            await self.check_base_url(request.context)
            async for event in self._events(request):
                if isinstance(event, TextDelta | ReasoningDelta):
                    if not event.text:
                        continue
                    text.append(event.text)
                elif isinstance(event, ToolCallDelta):
                    text.append(event.name + event.arguments)  # counted if usage is not sent
                elif isinstance(event, Usage):
                    usage_seen = self._usable(event)
                    if not usage_seen:
                        continue
                yield event
        except ProviderError:
            raise
        except Exception as error:
            translated = self.translated(error, request.model)
            if text and translated.kind == "unavailable":
                translated = errors.cut(self.endpoint.name)
            raise translated from error
        if not usage_seen:
            yield counted_usage(request, "".join(text))

    def _usable(self, usage: Usage) -> bool:
        problem = usage_problem(usage)
        if problem is not None:
            log.warning(
                "endpoint %s reported unusable usage (%s): counted locally instead",
                self.endpoint.name,
                problem,
            )
        return problem is None

    # -- model list ----------------------------------------------------------
    async def list_models(self, context: RequestContext) -> list[str]:
        """The provider's model ids (`models.fetch`); a user's base URL is checked first."""
        await self.check_base_url(context)
        return await self._list_models(context)

    @abstractmethod
    async def _list_models(self, context: RequestContext) -> list[str]:
        """The listing as each adapter's SDK gives it."""

    async def complete(self, request: ChatRequest) -> Completion:
        return await collect(self.stream(request))


async def collect(events: AsyncIterator[StreamEvent]) -> Completion:
    """A stream gathered into one answer (`complete`)."""
    text, reasoning, usage, finish = [], [], Usage(), "stop"
    calls: list[ToolCallDelta] = []
    async for event in events:
        if isinstance(event, TextDelta):
            text.append(event.text)
        elif isinstance(event, ReasoningDelta):
            reasoning.append(event.text)
        elif isinstance(event, ToolCallDelta):
            calls.append(event)
        elif isinstance(event, Usage):
            usage = event
        else:
            finish = event.reason
    return Completion("".join(text), "".join(reasoning), usage, finish, tool_calls(calls))


def usage_problem(usage: Usage) -> str | None:
    """Why a provider's usage figures cannot be billed, or None when they can: each a
    whole number from 0 to MAX_REPORTED_TOKENS, the cached part within the prompt."""
    for name in USAGE_FIGURES:
        value = getattr(usage, name)
        if isinstance(value, bool) or not isinstance(value, int):
            return f"{name} is not a whole number: {value!r:.40}"
        if not 0 <= value <= MAX_REPORTED_TOKENS:
            return f"{name} is out of range: {value}"
    if usage.cache_read_tokens + usage.cache_write_tokens > usage.prompt_tokens:
        return "the cached tokens exceed the prompt tokens"
    return None


def counted_usage(request: ChatRequest, reply: str) -> Usage:
    """Usage counted with tiktoken, for providers that report none."""
    return Usage(
        prompt_tokens=tokens.count_messages(request.messages, request.model),
        completion_tokens=tokens.count_text(reply, request.model),
    )


def thinking_on(thinking: Any) -> bool:
    """Whether an Anthropic `thinking` object (also in Bedrock's additional fields) is on.
    Claude refuses a forced tool then, so a forced tool_choice is left out: the model
    chooses, with the tool offered."""
    return isinstance(thinking, dict) and thinking.get("type") in ("enabled", "adaptive")


def skip_malformed(endpoint: str, chunk: Any) -> None:
    """A chunk we cannot read is logged and skipped, never fatal."""
    log.warning("skipped a malformed chunk from endpoint %s: %.200r", endpoint, chunk)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def data_url(part: ImagePart | DocumentPart) -> str:
    """A part's bytes as a `data:` URL, as OpenAI's image and file inputs take them."""
    return f"data:{part.mime};base64,{b64(part.data)}"
