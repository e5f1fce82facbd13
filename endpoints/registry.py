"""The loaded endpoints by name: one adapter per endpoint (built lazily) and model lists.

Model lists follow LibreChat (reference §b.6): `models.default` unless
`models.fetch`; a fetched list is cached for two minutes per base URL and key,
except when it depends on the user (user-provided key or URL, `userIdQuery`,
headers with user placeholders); a failed or empty fetch falls back to the
defaults with a logged warning.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import logging
import threading
from typing import Any

from django.core.cache import cache

from endpoints.adapters.base import ChatAdapter, ProviderError, RequestContext
from endpoints.breaker import Breaker, Policy
from endpoints.endpoint import Config, Endpoint
from endpoints.failover import FailoverAdapter

log = logging.getLogger(__name__)

ADAPTERS = {
    "openai": "endpoints.adapters.openai.OpenAIAdapter",
    "azure": "endpoints.adapters.azure.AzureAdapter",
    "anthropic": "endpoints.adapters.anthropic.AnthropicAdapter",
    "google": "endpoints.adapters.google.GoogleAdapter",
    "bedrock": "endpoints.adapters.bedrock.BedrockAdapter",
}
MODELS_TTL = 120  # seconds


class UnknownEndpoint(LookupError):
    def __init__(self, name: str) -> None:
        super().__init__(f"There is no endpoint named {name}.")
        self.name = name


def adapter_class(kind: str) -> type:
    module, _, name = ADAPTERS[kind].rpartition(".")
    return getattr(importlib.import_module(module), name)  # SDKs load only when used


class Registry:
    def __init__(
        self,
        config: Config,
        *,
        ttl: int = MODELS_TTL,
        breaker: Breaker | None = None,
        **adapter_options: Any,
    ) -> None:
        self.config = config
        self.ttl = ttl
        self.breaker = breaker or Breaker()
        self._options = adapter_options
        self._adapters: dict[str, ChatAdapter] = {}
        self._lock = threading.Lock()

    def endpoint(self, name: str) -> Endpoint:
        endpoint = self.config.get(name)
        if endpoint is None:
            raise UnknownEndpoint(name)
        return endpoint

    def adapter(self, name: str) -> ChatAdapter:
        with self._lock:
            if name not in self._adapters:
                self._adapters[name] = self._new_adapter(self.endpoint(name))
            return self._adapters[name]

    def _new_adapter(self, endpoint: Endpoint) -> ChatAdapter:
        if len(endpoint.channels) < 2:
            return adapter_class(endpoint.kind)(endpoint, **self._options)
        # Several keys: the next key is the retry, not the SDK's (endpoints/failover.py).
        options = {**self._options, "max_retries": 0}
        return FailoverAdapter(
            endpoint, lambda one: adapter_class(one.kind)(one, **options), self.breaker
        )

    async def models(self, name: str, context: RequestContext | None = None) -> list[str]:
        endpoint = self.endpoint(name)
        defaults = list(endpoint.models.default)
        if not endpoint.models.fetch:
            return defaults
        context = context or RequestContext()
        key = _cache_key(endpoint)
        if key and (cached := await cache.aget(key)):
            return cached
        try:
            fetched = await self.adapter(name).list_models(context)
        except (ProviderError, OSError) as error:
            log.warning("model list of endpoint %s failed (%s); using the defaults", name, error)
            return defaults
        if not fetched:
            log.warning("endpoint %s listed no models; using the defaults", name)
            return defaults
        if key:
            await cache.aset(key, fetched, self.ttl)
        return fetched


def _cache_key(endpoint: Endpoint) -> str | None:
    """A key shared by every user, or None when the list depends on who asks."""
    user_scoped = any("{{LIBRECHAT_" in value for value in endpoint.headers.values())
    if (
        endpoint.user_provides_key
        or endpoint.user_provides_url
        or endpoint.models.user_id_query
        or user_scoped
    ):
        return None
    digest = hashlib.sha256(f"{endpoint.base_url}:{endpoint.api_key}".encode()).hexdigest()
    return f"parley:models:{digest[:32]}"


@functools.cache
def current() -> Registry:
    """The registry of the running process's configuration; its adapters give up on a stream
    after STREAMING_TIMEOUT seconds without a byte (seed 004's name; 120 by default)."""
    from django.conf import settings

    from endpoints import config

    policy = Breaker(Policy.from_settings())
    return Registry(config.current(), breaker=policy, timeout=settings.STREAMING_TIMEOUT)
