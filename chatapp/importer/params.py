"""A LibreChat conversation's or preset's parameters, kept only where Parley's panel knows them.

LibreChat stores parameters as top-level fields of the document, in snake_case
or camelCase by version; Parley stores the panel's camelCase keys
(endpoints/paramsets.py). `clean` is the one place an imported parameter passes
an allow-list: a key of some parameter set, a value of its type within the
widest range any set gives it. Anything else is dropped (and counted).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from endpoints.paramsets import SETS, ParamDef

# LibreChat's field → Parley's key.
FIELDS = {
    "temperature": "temperature",
    "top_p": "topP",
    "topP": "topP",
    "topK": "topK",
    "top_k": "topK",
    "presence_penalty": "presencePenalty",
    "presencePenalty": "presencePenalty",
    "frequency_penalty": "frequencyPenalty",
    "frequencyPenalty": "frequencyPenalty",
    "maxOutputTokens": "maxOutputTokens",
    "max_tokens": "maxOutputTokens",
    "maxTokens": "maxOutputTokens",
    "reasoning_effort": "reasoningEffort",
    "reasoningEffort": "reasoningEffort",
    "thinking": "thinking",
    "thinkingBudget": "thinkingBudget",
}


def _widest() -> dict[str, ParamDef]:
    widest: dict[str, ParamDef] = {}
    for definitions in SETS.values():
        for definition in definitions:
            known = widest.get(definition.key)
            if known is None or (definition.maximum or 0) > (known.maximum or 0):
                widest[definition.key] = definition
    return widest


DEFINITIONS = _widest()


def from_document(document: Mapping[str, Any]) -> dict[str, Any]:
    """The parameter fields of a conversation or preset document, under Parley's keys."""
    return {FIELDS[name]: value for name, value in document.items() if name in FIELDS}


def clean(endpoint: str, model: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """The allowed subset of `params` (endpoint and model kept for the shared allow-list)."""
    return {key: value for key, value in params.items() if _allowed(key, value)}


def _allowed(key: str, value: Any) -> bool:
    definition = DEFINITIONS.get(key)
    if definition is None or value is None:
        return False
    if definition.type == "bool":
        return isinstance(value, bool)
    if definition.type == "enum":
        return value in definition.options
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if definition.type == "int" and value != int(value):
        return False
    low, high = definition.minimum, definition.maximum
    return (low is None or value >= low) and (high is None or value <= high)
