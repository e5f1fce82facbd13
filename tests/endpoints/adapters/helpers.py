"""Drive an adapter and gather what it streamed."""

from __future__ import annotations

from dataclasses import dataclass, field

from endpoints import requests
from endpoints.adapters.base import (
    ChatMessage,
    Finish,
    ProviderError,
    ReasoningDelta,
    RequestContext,
    TextDelta,
    Usage,
)
from endpoints.endpoint import Endpoint


@dataclass
class Outcome:
    text: str = ""
    reasoning: str = ""
    usage: Usage | None = None
    finish: str | None = None
    error: ProviderError | None = None
    chunks: list[str] = field(default_factory=list)


def request_for(endpoint: Endpoint, prompt: str, model: str = "mock-small", **kw):
    messages = [ChatMessage("system", "You are terse."), ChatMessage("user", prompt)]
    params = kw.pop("params", None)
    return requests.build(endpoint, model, messages, params, RequestContext(**kw))


async def run(adapter, request) -> Outcome:
    outcome = Outcome()
    try:
        async for event in adapter.stream(request):
            if isinstance(event, TextDelta):
                outcome.text += event.text
                outcome.chunks.append(event.text)
            elif isinstance(event, ReasoningDelta):
                outcome.reasoning += event.text
            elif isinstance(event, Usage):
                outcome.usage = event
            elif isinstance(event, Finish):
                outcome.finish = event.reason
    except ProviderError as error:
        outcome.error = error
    return outcome
