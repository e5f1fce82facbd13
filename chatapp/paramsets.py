"""The parameters panel: each wire format's parameter set, and an endpoint's overrides.

LibreChat's UI speaks camelCase parameter names (`topP`, `maxOutputTokens`,
`thinkingBudget`); endpoints/params.py turns them into each wire's names. A
custom endpoint's `customParams.defaultParamsEndpoint` picks the base set and
its `paramDefinitions` override fields of the same key (default, range,
options, label, description).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from django.utils.translation import gettext_lazy as _

ParamType = Literal["number", "int", "bool", "enum"]


@dataclass(frozen=True)
class ParamDef:
    key: str
    label: str
    type: ParamType
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None
    options: tuple[str, ...] = ()
    description: str = ""

    @property
    def widget(self) -> str:
        """The form control: a slider for bounded numbers, else a field, switch or list."""
        if self.type == "bool":
            return "switch"
        if self.type == "enum":
            return "select"
        bounded = self.minimum is not None and self.maximum is not None
        return "slider" if bounded and self.maximum - self.minimum <= 2000 else "field"


def _number(key: str, label: str, default: float, low: float, high: float, step: float) -> ParamDef:
    return ParamDef(key, label, "number", default, low, high, step)


def _int(key: str, label: str, default: int | None, low: int, high: int) -> ParamDef:
    return ParamDef(key, label, "int", default, low, high, 1)


TEMPERATURE = _("Temperature")
TOP_P = _("Top P")
TOP_K = _("Top K")
MAX_OUTPUT = _("Max output tokens")
REASONING = ParamDef(
    "reasoningEffort",
    _("Reasoning effort"),
    "enum",
    "",
    options=("", "minimal", "low", "medium", "high"),
    description=_("For reasoning models; empty leaves the model's default."),
)
THINKING = ParamDef("thinking", _("Thinking"), "bool", True, description=_("Extended thinking"))
THINKING_BUDGET = _int("thinkingBudget", _("Thinking budget"), 2000, 1024, 64000)

OPENAI = (
    _number("temperature", TEMPERATURE, 1, 0, 2, 0.01),
    _number("topP", TOP_P, 1, 0, 1, 0.01),
    _number("frequencyPenalty", _("Frequency penalty"), 0, -2, 2, 0.01),
    _number("presencePenalty", _("Presence penalty"), 0, -2, 2, 0.01),
    _int("maxOutputTokens", MAX_OUTPUT, None, 1, 128000),
    REASONING,
)
ANTHROPIC = (
    _number("temperature", TEMPERATURE, 1, 0, 1, 0.01),
    _number("topP", TOP_P, 0.7, 0, 1, 0.01),
    _int("topK", TOP_K, 5, 1, 40),
    _int("maxOutputTokens", MAX_OUTPUT, 8192, 1, 128000),
    THINKING,
    THINKING_BUDGET,
)
GOOGLE = (
    _number("temperature", TEMPERATURE, 1, 0, 2, 0.01),
    _number("topP", TOP_P, 0.95, 0, 1, 0.01),
    _int("topK", TOP_K, 40, 1, 40),
    _int("maxOutputTokens", MAX_OUTPUT, 8192, 1, 65536),
    THINKING,
    THINKING_BUDGET,
)
BEDROCK = (
    _number("temperature", TEMPERATURE, 1, 0, 1, 0.01),
    _number("topP", TOP_P, 0.9, 0, 1, 0.01),
    _int("maxOutputTokens", MAX_OUTPUT, 4096, 1, 64000),
)
SETS: Mapping[str, tuple[ParamDef, ...]] = {
    "openai": OPENAI,
    "azure": OPENAI,
    "custom": OPENAI,
    "openrouter": OPENAI,
    "anthropic": ANTHROPIC,
    "google": GOOGLE,
    "bedrock": BEDROCK,
}
_TYPES: Mapping[str, ParamType] = {"number": "number", "boolean": "bool", "enum": "enum"}


def _override(base: ParamDef, item: Mapping[str, Any]) -> ParamDef:
    """Apply one `paramDefinitions` entry to the base definition of its key."""
    changes: dict[str, Any] = {}
    if "default" in item:
        changes["default"] = item["default"]
    span = item.get("range") or {}
    for field, name in (("minimum", "min"), ("maximum", "max"), ("step", "step")):
        if isinstance(span.get(name), int | float):
            changes[field] = span[name]
    if isinstance(item.get("options"), list):
        changes["options"] = tuple(str(option) for option in item["options"])
    if isinstance(item.get("label"), str):
        changes["label"] = item["label"]
    if isinstance(item.get("description"), str):
        changes["description"] = item["description"]
    if item.get("type") in _TYPES and base.type != "int":
        changes["type"] = _TYPES[item["type"]]
    return replace(base, **changes)


def definitions(base_set: str, overrides: Iterable[Mapping[str, Any]] = ()) -> list[ParamDef]:
    """The panel for an endpoint: its base set with `paramDefinitions` applied by key."""
    by_key = {str(item.get("key")): item for item in overrides}
    base = SETS.get(base_set, OPENAI)
    return [_override(p, by_key[p.key]) if p.key in by_key else p for p in base]
