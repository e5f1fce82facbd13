"""The final request parameters: user choices, defaults, addParams, reasoning, dropParams.

LibreChat's order (reference §b.7): the user's parameters, then the defaults of
`customParams.paramDefinitions` (only where unset), then `addParams`
(overriding), then `dropParams` (deleting). Names are turned into the wire
format's own (LibreChat's UI speaks camelCase); keys nobody knows go into the
body verbatim, so nested `addParams` objects arrive as written.

`web_search: true` is LibreChat's switch for the provider's own search, and becomes
it as LibreChat's llm configs do: OpenRouter's `web` plugin, Anthropic's
`web_search_20250305` server tool, Gemini's `googleSearch` tool; on OpenAI and Azure,
where LibreChat moves to the Responses API, Chat Completions' `web_search_options`.
Native tools sit in `tools`, which each adapter sends before Parley's own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from endpoints.endpoint import Endpoint

# LibreChat parameter names → the wire format's names, per adapter kind.
_OPENAI = {
    "maxTokens": "max_tokens",
    "maxOutputTokens": "max_tokens",
    "max_output_tokens": "max_tokens",
    "topP": "top_p",
    "frequencyPenalty": "frequency_penalty",
    "presencePenalty": "presence_penalty",
    "reasoningEffort": "reasoning_effort",
    "reasoningSummary": "reasoning_summary",
}
_ANTHROPIC = {
    "maxOutputTokens": "max_tokens",
    "maxTokens": "max_tokens",
    "topP": "top_p",
    "topK": "top_k",
    "stop": "stop_sequences",
    "stopSequences": "stop_sequences",
}
_GOOGLE = {
    "max_tokens": "maxOutputTokens",
    "maxTokens": "maxOutputTokens",
    "top_p": "topP",
    "top_k": "topK",
    "stop": "stopSequences",
}
_BEDROCK = {
    "max_tokens": "maxTokens",
    "maxOutputTokens": "maxTokens",
    "top_p": "topP",
    "stop": "stopSequences",
}
NAMES = {"openai": _OPENAI, "azure": _OPENAI, "anthropic": _ANTHROPIC, "google": _GOOGLE,
         "bedrock": _BEDROCK}  # fmt: skip
DEFAULT_THINKING_BUDGET = 2000
# OpenAI reasoning models refuse sampling parameters and take max_completion_tokens.
REASONING_MODEL = re.compile(r"(^|/)(o\d|gpt-5)(?!.*chat)", re.IGNORECASE)
SAMPLING = ("temperature", "top_p", "presence_penalty", "frequency_penalty", "logit_bias")
ANTHROPIC_SEARCH = {"type": "web_search_20250305", "name": "web_search"}


def _renamed(kind: str, params: Mapping[str, Any]) -> dict[str, Any]:
    names = NAMES[kind]
    return {names.get(key, key): value for key, value in params.items() if value is not None}


def _definition_defaults(endpoint: Endpoint) -> dict[str, Any]:
    return {
        str(item["key"]): item["default"]
        for item in endpoint.custom_params.param_definitions
        if "key" in item and item.get("default") is not None
    }


def _openai_reasoning(endpoint: Endpoint, params: dict[str, Any]) -> None:
    """reasoning_effort as the endpoint's `customParams.reasoningFormat` wants it."""
    fmt = endpoint.custom_params.reasoning_format if endpoint.custom else None
    if fmt == "disabled":
        params.pop("reasoning_effort", None)
        params.pop("reasoning_summary", None)
        params.pop("reasoning", None)
    elif fmt == "reasoning_object" and (
        "reasoning_effort" in params or "reasoning_summary" in params
    ):
        reasoning = dict(params.get("reasoning") or {})
        if "reasoning_effort" in params:
            reasoning["effort"] = params.pop("reasoning_effort")
        if "reasoning_summary" in params:
            reasoning["summary"] = params.pop("reasoning_summary")
        params["reasoning"] = reasoning


def _reasoning_model(params: dict[str, Any]) -> None:
    for key in SAMPLING:
        params.pop(key, None)
    if "max_tokens" in params:
        params.setdefault("max_completion_tokens", params.pop("max_tokens"))


def _thinking(kind: str, params: dict[str, Any]) -> None:
    """LibreChat's `thinking` switch and `thinkingBudget` in the provider's shape."""
    if "thinking" not in params:
        return
    if isinstance(params["thinking"], Mapping):  # already in the provider's shape (addParams)
        params.pop("thinkingBudget", None)
        return
    enabled = params.pop("thinking") in (True, "true", "enabled")
    budget = int(params.pop("thinkingBudget", DEFAULT_THINKING_BUDGET))
    if kind == "google" and enabled:
        params["thinkingConfig"] = {"includeThoughts": True, "thinkingBudget": budget}
    elif enabled:
        params["thinking"] = {"type": "enabled", "budget_tokens": budget}


def _drop(params: dict[str, Any], drop: tuple[str, ...]) -> None:
    for key in drop:
        params.pop(key, None)
        # LibreChat: dropping reasoning_effort/summary also strips them from a reasoning object.
        nested = params.get("reasoning")
        if key.startswith("reasoning_") and isinstance(nested, dict):
            nested.pop(key.removeprefix("reasoning_"), None)
            if not nested:
                params.pop("reasoning")


def build(endpoint: Endpoint, model: str, user_params: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters a request to `model` on `endpoint` carries, in the wire's names."""
    kind = endpoint.kind
    params = _renamed(kind, user_params)
    for key, value in _renamed(kind, _definition_defaults(endpoint)).items():
        params.setdefault(key, value)
    params.update(_renamed(kind, _add_params(endpoint, model)))
    if kind in ("openai", "azure"):
        _openai_reasoning(endpoint, params)
        if REASONING_MODEL.search(model):
            _reasoning_model(params)
    else:
        _thinking(kind, params)
    _drop(params, _drop_params(endpoint, model))
    _native_search(endpoint, params)
    return params


def _native_search(endpoint: Endpoint, params: dict[str, Any]) -> None:
    """`web_search` as the provider's own search (see the module's docstring); false
    removes it. Bedrock, which has no such search, gets the key as written."""
    kind = endpoint.kind
    if kind == "bedrock" or "web_search" not in params:
        return
    if params.pop("web_search") is not True:
        return
    if kind == "anthropic":
        params["tools"] = [*(params.get("tools") or ()), ANTHROPIC_SEARCH]
    elif kind == "google":
        params["tools"] = [*(params.get("tools") or ()), {"googleSearch": {}}]
    elif openrouter(endpoint):
        params["plugins"] = [*(params.get("plugins") or ()), {"id": "web"}]
    else:
        params.setdefault("web_search_options", {})


def openrouter(endpoint: Endpoint) -> bool:
    """Whether an OpenAI-compatible endpoint is OpenRouter (by its name or base URL, as
    LibreChat tells)."""
    return "openrouter" in f"{endpoint.name} {endpoint.base_url or ''}".lower()


def _add_params(endpoint: Endpoint, model: str) -> Mapping[str, Any]:
    deployment = endpoint.azure.get(model) if endpoint.azure else None
    return {**endpoint.add_params, **(deployment.add_params if deployment else {})}


def _drop_params(endpoint: Endpoint, model: str) -> tuple[str, ...]:
    deployment = endpoint.azure.get(model) if endpoint.azure else None
    return endpoint.drop_params + (deployment.drop_params if deployment else ())
