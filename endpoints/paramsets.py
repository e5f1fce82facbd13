"""The parameters a user may set: each wire format's set, and an endpoint's definitions.

One list serves the parameters panel (chatapp.catalog) and the allow-list of
what a user may send (endpoints.userparams), so the two cannot drift.
The panel speaks camelCase names (`topP`, `maxOutputTokens`,
`thinkingBudget`); LibreChat's OpenAI set says `top_p`, `max_tokens`, which
`canonical` maps to them; endpoints/params.py turns them into each wire's
names. A custom endpoint's `customParams.defaultParamsEndpoint` picks the
base set; its `paramDefinitions` override fields of the same key (default,
range, options, label, description) and add parameters of their own when
they say a type Parley can render and check (number, boolean, enum). What
Parley sets itself (`MANAGED`) is never a user's parameter, whatever the
file says.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from django.utils.translation import gettext_lazy as _

from endpoints.endpoint import Endpoint

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
PROMPT_CACHE = ParamDef(
    "promptCache", _("Prompt caching"), "bool", True, description=_("Cache the prompt's start")
)

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
    PROMPT_CACHE,
)
GOOGLE = (
    _number("temperature", TEMPERATURE, 1, 0, 2, 0.01),
    _number("topP", TOP_P, 0.95, 0, 1, 0.01),
    _int("topK", TOP_K, 40, 1, 40),
    _int("maxOutputTokens", MAX_OUTPUT, 8192, 1, 65536),
    THINKING,
    # Gemini: -1 lets the model decide, 0 turns thinking off on the models that allow it.
    _int("thinkingBudget", _("Thinking budget"), 2000, -1, 32768),
)
BEDROCK = (
    _number("temperature", TEMPERATURE, 1, 0, 1, 0.01),
    _number("topP", TOP_P, 0.9, 0, 1, 0.01),
    _int("maxOutputTokens", MAX_OUTPUT, 4096, 1, 64000),
    THINKING,
    THINKING_BUDGET,
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
# LibreChat's names for the panel's parameters (its OpenAI set is snake case).
ALIASES = {
    "top_p": "topP",
    "top_k": "topK",
    "max_tokens": "maxOutputTokens",
    "maxTokens": "maxOutputTokens",
    "max_output_tokens": "maxOutputTokens",
    "frequency_penalty": "frequencyPenalty",
    "presence_penalty": "presencePenalty",
    "reasoning_effort": "reasoningEffort",
    "thinking_budget": "thinkingBudget",
}
# What Parley alone sets: the model, the messages and system prompt, streaming, tools,
# headers, and where the request goes. Compared lower-cased without `_` and `-`.
MANAGED = frozenset({
    "model", "modelid", "messages", "contents", "system", "systeminstruction", "prompt",
    "promptprefix", "input", "instructions", "stream", "streamoptions", "tools", "toolchoice",
    "toolconfig", "functions", "functioncall", "n", "candidatecount", "store", "headers",
    "extraheaders", "extraquery", "extrabody", "betas", "anthropicbeta", "baseurl", "apikey",
    "user", "metadata", "cachedcontent", "safetysettings", "responseformat",
    "additionalmodelrequestfields", "inferenceconfig", "generationconfig",
})  # fmt: skip


def canonical(key: str) -> str:
    """The panel's name for a parameter LibreChat may name otherwise."""
    return ALIASES.get(key, key)


def managed(key: str) -> bool:
    """Whether `key` is one Parley sets itself, never the user."""
    return key.lower().replace("_", "").replace("-", "") in MANAGED


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
    if str(item.get("type")) in _TYPES and base.type != "int":
        changes["type"] = _TYPES[str(item["type"])]
    return replace(base, **changes)


def _added(key: str, item: Mapping[str, Any]) -> ParamDef | None:
    """A `paramDefinitions` entry for a parameter the base set lacks, if it can be offered."""
    kind = _TYPES.get(str(item.get("type")))
    if kind is None or managed(key) or (kind == "enum" and not item.get("options")):
        return None
    return _override(ParamDef(key, key, kind), item)


def definitions(base_set: str, overrides: Iterable[Mapping[str, Any]] = ()) -> list[ParamDef]:
    """The base set with `paramDefinitions` applied by key, then the ones they add."""
    by_key = {canonical(str(item.get("key"))): item for item in overrides}
    base = SETS.get(base_set, OPENAI)
    found = [_override(p, by_key.pop(p.key)) if p.key in by_key else p for p in base]
    added = (_added(key, item) for key, item in by_key.items())
    return found + [p for p in added if p is not None]


def base_set(endpoint: Endpoint) -> str:
    """The set an endpoint's panel starts from: its wire format's, or the one it names."""
    if endpoint.custom:
        return endpoint.custom_params.default_params_endpoint
    return endpoint.kind


def for_endpoint(endpoint: Endpoint) -> list[ParamDef]:
    """The parameters a user may set on `endpoint`, as its panel shows them."""
    return definitions(base_set(endpoint), endpoint.custom_params.param_definitions)
