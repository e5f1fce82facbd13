"""Presets: a user's named endpoint + model + parameters + instructions, saved from the chat
header."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from chatapp import instructions, payload, switches
from chatapp.conversations import BadRequest
from chatapp.models import Preset
from endpoints import config, userparams

NAME_MAX = 100


def enabled() -> bool:
    """`interface.presets` (on unless the config sets it, or `sidePanel`, false)."""
    return switches.on("presets")


def require_enabled() -> None:
    if not enabled():
        raise BadRequest("Presets are turned off on this server.")


def parse_settings(raw: str) -> dict[str, Any]:
    """The chat page's current settings, as its script sends them (JSON)."""
    try:
        data = payload.loads(raw or "", what="settings")
    except payload.BadInput as bad:
        raise BadRequest(str(bad)) from None
    if not isinstance(data, dict):
        raise BadRequest("settings: a JSON object.")
    endpoint, model, params = data.get("endpoint"), data.get("model"), data.get("params", {})
    if not isinstance(endpoint, str) or not endpoint or not isinstance(model, str) or not model:
        raise BadRequest("Choose an endpoint and a model first.")
    try:
        prompt = instructions.checked(data.get("instructions"))
    except instructions.TooLong as long:
        raise BadRequest(str(long)) from None
    return {
        "endpoint": endpoint,
        "model": model,
        "parameters": _allowed(endpoint, params),
        "system_prompt": prompt,
    }


def _allowed(name: str, params: Any) -> dict[str, Any]:
    """The parameters the user may set on endpoint `name` (endpoints.userparams)."""
    endpoint = config.current().get(name)
    if endpoint is None:
        raise BadRequest(f"No endpoint named {name!r}.")
    try:
        return userparams.clean(endpoint, params)
    except userparams.BadParameter as bad:
        raise BadRequest(f"settings.params.{bad}.") from None


def _name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > NAME_MAX:
        raise BadRequest(f"A preset needs a name of at most {NAME_MAX} characters.")
    return name


def save(user, name: str, settings: dict[str, Any], preset: Preset | None = None) -> Preset:
    """Create a preset, or overwrite `preset` with a new name and the current settings."""
    preset = preset or Preset(owner=user)
    preset.name = _name(name)
    for field, value in settings.items():
        setattr(preset, field, value)
    try:
        with transaction.atomic():
            preset.save()
    except IntegrityError:
        raise BadRequest(f"You already have a preset named “{preset.name}”.") from None
    return preset
