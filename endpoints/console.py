"""One chat turn from a terminal: what `manage.py chat` runs (and the smallest endpoint check)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from endpoints import requests, tokens
from endpoints.adapters.base import ChatMessage, Finish, ReasoningDelta, TextDelta, Usage
from endpoints.registry import Registry


@dataclass(frozen=True)
class Turn:
    usage: Usage
    cost: float | None
    finish: str


def parse_params(pairs: Iterable[str]) -> dict[str, Any]:
    """`k=v` pairs; values are JSON when they parse (0.2, true, {"a": 1}), else text."""
    params: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key:
            raise ValueError(f"--param takes key=value, not {pair!r}")
        try:
            params[key] = json.loads(raw)
        except ValueError:
            params[key] = raw
    return params


async def chat(
    registry: Registry,
    endpoint_name: str,
    model: str,
    prompt: str,
    *,
    system: str = "",
    params: dict[str, Any] | None = None,
    on_text: Callable[[str], None],
    on_reasoning: Callable[[str], None],
) -> Turn:
    """Stream one reply; raises ProviderError (or UnknownEndpoint) on failure."""
    endpoint = registry.endpoint(endpoint_name)
    messages = [ChatMessage("system", system)] if system else []
    messages.append(ChatMessage("user", prompt))
    request = requests.build(endpoint, model, messages, params)
    usage, finish = Usage(), "stop"
    async for event in registry.adapter(endpoint_name).stream(request):
        if isinstance(event, TextDelta):
            on_text(event.text)
        elif isinstance(event, ReasoningDelta):
            on_reasoning(event.text)
        elif isinstance(event, Usage):
            usage = event
        elif isinstance(event, Finish):
            finish = event.reason
    rate = tokens.rate_for(model, endpoint.token_config)
    return Turn(usage, tokens.cost(usage, rate), finish)
