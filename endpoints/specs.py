"""librechat.yaml's `modelSpecs`, resolved: the curated model menu and the rule a turn obeys.

A spec is a named preset (endpoint, model, prompt prefix, parameters) with how the
menu shows it. `from_config(config)` reads them once per loaded config; the menu
lists those with `showInMenu` by `order` (then file order); `default()` is the one
marked `default`, which a new chat starts on. With `enforce`, a turn must name a
spec and then runs on that spec's preset alone (chatapp/engine/admission.py holds
that rule). A spec's parameters pass `endpoints.userparams.clean`, as a user's do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from endpoints import userparams
from endpoints.endpoint import Config, Endpoint

# Preset keys that are not parameters: Parley sets these itself or reads them here.
NOT_PARAMETERS = frozenset(
    {
        "endpoint", "endpointType", "model", "modelLabel", "promptPrefix", "instructions",
        "greeting", "iconURL", "spec", "title", "presetId", "conversationId", "chatGptLabel",
        "tools", "agentOptions", "files", "examples", "defaultPreset", "order",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Spec:
    name: str
    label: str
    endpoint: str
    model: str
    description: str = ""
    icon_url: str = ""
    group: str = ""
    group_icon: str = ""
    order: int | None = None
    default: bool = False
    show_in_menu: bool = True
    show_icon_in_menu: bool = True
    show_icon_in_header: bool = True
    prompt_prefix: str = ""
    model_label: str = ""  # the sender name of its answers (LibreChat's modelLabel)
    greeting: str = ""  # a new chat's heading on this spec (LibreChat's preset greeting)
    preset_params: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    web_search: bool = False  # the globe starts switched on in a new chat on this spec
    mcp_servers: tuple[str, ...] = ()  # the MCP servers a new chat on this spec starts with


@dataclass(frozen=True)
class Specs:
    items: tuple[Spec, ...] = ()
    enforce: bool = False
    prioritize: bool = True
    added_endpoints: tuple[str, ...] | None = None  # None: LibreChat's default (no extra)

    def get(self, name: str | None) -> Spec | None:
        return next((spec for spec in self.items if spec.name == name), None)

    def default(self) -> Spec | None:
        return next((spec for spec in self.items if spec.default), None)

    def menu(self) -> list[Spec]:
        """The specs the menu shows, by `order` (unordered ones last), then file order."""
        shown = [spec for spec in self.items if spec.show_in_menu]
        return sorted(shown, key=lambda spec: (spec.order is None, spec.order or 0))

    def group_icons(self) -> dict[str, str]:
        """Each group's icon: the first `groupIcon` a spec of the group sets."""
        icons: dict[str, str] = {}
        for spec in self.items:
            if spec.group and spec.group_icon:
                icons.setdefault(spec.group, spec.group_icon)
        return icons


def from_config(config: Config) -> Specs:
    section = config.file.modelSpecs if config.file else None
    if section is None:
        return Specs()
    added = tuple(section.addedEndpoints) if section.addedEndpoints is not None else None
    return Specs(
        tuple(_spec(item) for item in section.list), section.enforce, section.prioritize, added
    )


def _spec(item: Any) -> Spec:
    preset = dict(item.preset)
    return Spec(
        name=item.name,
        label=item.label or item.name,
        endpoint=preset["endpoint"],
        model=preset.get("model") or "",
        description=item.description or "",
        icon_url=item.iconURL or "",
        group=item.group or "",
        group_icon=item.groupIcon or "",
        order=item.order,
        default=item.default,
        show_in_menu=item.showInMenu,
        show_icon_in_menu=item.showIconInMenu,
        show_icon_in_header=item.showIconInHeader,
        prompt_prefix=preset.get("promptPrefix") or preset.get("instructions") or "",
        model_label=str(preset.get("modelLabel") or ""),
        greeting=str(preset.get("greeting") or ""),
        preset_params={k: v for k, v in preset.items() if k not in NOT_PARAMETERS},
        web_search=bool(item.webSearch),
        mcp_servers=tuple(item.mcpServers or ()),
    )


def parameters(spec: Spec, endpoint: Endpoint) -> dict[str, Any]:
    """The spec's parameters `endpoint` lets anyone set (raises userparams.BadParameter)."""
    return userparams.clean(endpoint, spec.preset_params)


def current() -> Specs:
    """The running configuration's specs (a few items: rebuilt on each call, never stale)."""
    from endpoints import config

    return from_config(config.current())
