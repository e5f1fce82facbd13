"""Build the `ChatRequest` an adapter receives: final parameters and resolved headers.

The user's parameters pass endpoints.userparams first (BadParameter for a bad
value), then endpoints.params adds the operator's and the defaults.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from endpoints import headers, params, userparams
from endpoints.adapters.base import ChatMessage, ChatRequest, RequestContext
from endpoints.endpoint import Endpoint


def header_templates(endpoint: Endpoint, model: str) -> dict[str, str]:
    """The endpoint's headers, plus the Azure group's `additionalHeaders` for this model."""
    deployment = endpoint.azure.get(model) if endpoint.azure else None
    return {**endpoint.headers, **(deployment.headers if deployment else {})}


def build(
    endpoint: Endpoint,
    model: str,
    messages: Iterable[ChatMessage],
    user_params: Mapping[str, Any] | None = None,
    context: RequestContext | None = None,
) -> ChatRequest:
    context = context or RequestContext()
    return ChatRequest(
        model=model,
        messages=tuple(messages),
        params=params.build(endpoint, model, userparams.clean(endpoint, user_params or {})),
        headers=headers.resolve(header_templates(endpoint, model), context),
        context=context,
    )
