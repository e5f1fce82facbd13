"""What the chat header offers: the available endpoints, their models, icons and parameters.

A plain view of `endpoints.config` for the templates; the config itself is
never parsed here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from endpoints import paramsets
from endpoints.endpoint import Config, Endpoint
from endpoints.paramsets import ParamDef
from endpoints.specs import Spec, Specs

# Icons Parley ships (templates/chatapp/icons/<key>.svg), by endpoint name or iconURL key.
KNOWN_ICONS = {
    "openai": "openai",
    "azureopenai": "azure",
    "azure": "azure",
    "anthropic": "anthropic",
    "claude": "anthropic",
    "google": "google",
    "gemini": "google",
    "bedrock": "bedrock",
}
_FAMILIES = (
    (re.compile(r"^(?:openai/)?(gpt-[\w.]+?)(?:-\d{4}-\d{2}-\d{2})?$", re.I), None),
    (re.compile(r"claude", re.I), "Claude"),
    (re.compile(r"gemini", re.I), "Gemini"),
)


@dataclass(frozen=True)
class Icon:
    key: str = ""  # one of Parley's icons
    url: str = ""  # an iconURL that is a URL or path
    letter: str = "?"  # otherwise the endpoint's initial


@dataclass(frozen=True)
class Choice:
    """One endpoint as the header shows it."""

    name: str
    icon: Icon
    models: tuple[str, ...]
    params: tuple[ParamDef, ...]
    display_label: str
    user_provides_key: bool
    user_provides_url: bool

    def has_model(self, model: str) -> bool:
        return model in self.models


def icon_for(endpoint: Endpoint) -> Icon:
    wanted = (endpoint.icon_url or "").strip()
    if wanted.startswith(("http://", "https://", "/")):
        return Icon(url=wanted)
    for candidate in (wanted, endpoint.name):
        key = KNOWN_ICONS.get(candidate.lower().replace(" ", ""))
        if key:
            return Icon(key=key)
    return Icon(letter=(endpoint.name[:1] or "?").upper())


def choice(endpoint: Endpoint, models: tuple[str, ...] | None = None) -> Choice:
    defs = paramsets.for_endpoint(endpoint)
    return Choice(
        name=endpoint.name,
        icon=icon_for(endpoint),
        models=models if models is not None else endpoint.models.default,
        params=tuple(defs),
        display_label=endpoint.model_display_label,
        user_provides_key=endpoint.user_provides_key,
        user_provides_url=endpoint.user_provides_url,
    )


def choices(config: Config) -> list[Choice]:
    """Every endpoint the user can pick, in the configured order, with a model to offer."""
    found = [choice(endpoint) for endpoint in config.available()]
    return [item for item in found if item.models]


def with_models(option: Choice, models: tuple[str, ...]) -> Choice:
    """The choice with the registry's model list (fetched ones included), if it has one."""
    return replace(option, models=models) if models else option


def display_label(model: str, endpoint_label: str = "AI", preset_label: str = "") -> str:
    """The sender name beside an answer (seed 001): the preset's label, a label derived from
    the model's family, else the endpoint's modelDisplayLabel ("AI" by default)."""
    if preset_label:
        return preset_label
    for pattern, label in _FAMILIES:
        found = pattern.search(model or "")
        if found:
            return label or "GPT-" + found.group(1)[4:]
    return endpoint_label or "AI"


def label_for(config: Config, message: Any, spec: Spec | None = None) -> str:
    """The sender label of a saved answer, from the endpoint and model that wrote it (the
    spec's `modelLabel` when the conversation's spec wrote it)."""
    endpoint = config.get(message.endpoint)
    own = spec and spec.endpoint == message.endpoint and spec.model in ("", message.model)
    return display_label(
        message.model,
        endpoint.model_display_label if endpoint else "AI",
        spec.model_label if own else "",
    )


def selection(
    options: list[Choice], endpoint: str = "", model: str = ""
) -> tuple[Choice | None, str]:
    """The endpoint and model to preselect: the asked ones when offered, else the first."""
    chosen = next((c for c in options if c.name == endpoint), options[0] if options else None)
    if chosen is None:
        return None, ""
    return chosen, model if chosen.has_model(model) else chosen.models[0]


def param_values(defs: tuple[ParamDef, ...], saved: dict[str, Any]) -> list[dict[str, Any]]:
    """Each definition with the value to show (the saved one, else the default) and whether
    the user set it (only set parameters are sent)."""
    return [{"def": d, "value": saved.get(d.key, d.default), "set": d.key in saved} for d in defs]


# --- modelSpecs: the curated menu (endpoints/specs.py) ------------------------------------


@dataclass(frozen=True)
class SpecChoice:
    spec: Spec
    icon: Icon


@dataclass(frozen=True)
class SpecGroup:
    """The menu's specs of one `group` ("" for those without one), in menu order."""

    name: str
    icon: Icon | None
    choices: tuple[SpecChoice, ...]


def _icon_named(wanted: str) -> Icon | None:
    """An iconURL or groupIcon: a URL or path, or one of Parley's icon keys."""
    wanted = wanted.strip()
    if wanted.startswith(("http://", "https://", "/")):
        return Icon(url=wanted)
    key = KNOWN_ICONS.get(wanted.lower().replace(" ", ""))
    return Icon(key=key) if key else None


def spec_icon(spec: Spec, config: Config) -> Icon:
    """The spec's iconURL, else its endpoint's icon."""
    endpoint = config.get(spec.endpoint)
    fallback = icon_for(endpoint) if endpoint else Icon(letter=spec.label[:1].upper() or "?")
    return _icon_named(spec.icon_url) or fallback


def spec_menu(offered: Specs, config: Config) -> list[SpecGroup]:
    """The specs whose endpoint is available, grouped in the order groups first appear."""
    usable = [s for s in offered.menu() if (e := config.get(s.endpoint)) and e.available]
    names = list(dict.fromkeys(spec.group for spec in usable))
    icons = offered.group_icons()
    return [
        SpecGroup(
            name,
            _icon_named(icons.get(name, "")),
            tuple(SpecChoice(s, spec_icon(s, config)) for s in usable if s.group == name),
        )
        for name in names
    ]


def chosen_spec(
    offered: Specs, asked: str, endpoint: str, model: str, new_chat: bool = True
) -> Spec | None:
    """The spec the header shows: the asked one (a conversation's stored spec), else the one
    a chat's endpoint and model are, else (a new chat) the default, or the first one when
    only specs are offered."""
    if asked and (found := offered.get(asked)):
        return found
    for spec in offered.items:
        if endpoint and spec.endpoint == endpoint and spec.model in ("", model):
            return spec
    if not new_chat or (endpoint and not offered.enforce):
        return None
    menu = offered.menu()
    only_specs = offered.enforce or not offered.added_endpoints
    return offered.default() or (menu[0] if menu and only_specs else None)


def preset_yields(offered: Specs) -> bool:
    """Whether a new chat starts on its spec rather than the user's default preset:
    `modelSpecs.prioritize` (true unless set false, as in LibreChat) when a spec would be
    chosen (the default, or the first when only specs are offered); always under `enforce`."""
    return (offered.prioritize or offered.enforce) and chosen_spec(offered, "", "", "") is not None


def endpoint_menu(options: list[Choice], offered: Specs) -> list[Choice]:
    """The endpoints offered beside the specs: all without specs, none under `enforce`,
    else those `addedEndpoints` lists (LibreChat shows only specs without it)."""
    if not offered.items:
        return options
    if offered.enforce:
        return []
    added = set(offered.added_endpoints or ())
    return [option for option in options if option.name in added]
