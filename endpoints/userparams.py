"""The parameters a user may set: the one rule every way in shares (DESIGN.md §4).

`clean(endpoint, params)` keeps the parameters of the endpoint's set
(endpoints.paramsets: its wire format's panel plus `customParams.paramDefinitions`),
under the panel's names, each checked for type and range. Keys outside the set
are dropped, as LibreChat's schemas drop them, and logged at debug: the model,
messages, system prompt, stream flags, tools and headers are Parley's to set,
and the operator's `addParams`/`dropParams` (endpoints.params) come after this.
A known key with a bad value raises `BadParameter` naming it. The chat socket,
presets, imports and every request built (endpoints.requests) call this.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from typing import Any

from endpoints import paramsets
from endpoints.endpoint import Endpoint
from endpoints.paramsets import ParamDef

log = logging.getLogger(__name__)


class BadParameter(ValueError):
    """A parameter the user may set, with a value it may not have."""

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(f"{key}: {reason}")
        self.key, self.reason = key, reason


def clean(
    endpoint: Endpoint, params: Mapping[str, Any], *, drop_bad: bool = False
) -> dict[str, Any]:
    """The user's `params` that `endpoint` lets them set, by the panel's names, checked.

    `drop_bad` drops a bad value (logged at debug) instead of refusing it: for bulk
    imports, where one stale value must not cost a whole conversation."""
    if not isinstance(params, Mapping):
        if drop_bad:
            return {}
        raise BadParameter("params", "must be an object")
    allowed = {d.key: d for d in paramsets.for_endpoint(endpoint)}
    cleaned: dict[str, Any] = {}
    for key, value in params.items():
        name = paramsets.canonical(str(key))
        definition = allowed.get(name)
        if definition is None:
            log.debug("dropped parameter %r: not one endpoint %s offers", key, endpoint.name)
            continue
        if name in cleaned and key != name:
            continue  # the panel's own name wins over LibreChat's for the same parameter
        try:
            value = checked(definition, str(key), value)
        except BadParameter as bad:
            if not drop_bad:
                raise
            log.debug("dropped parameter %s on endpoint %s", bad, endpoint.name)
            continue
        if value is not None:
            cleaned[name] = value
    return cleaned


def checked(definition: ParamDef, key: str, value: Any) -> Any:
    """`value` as the definition takes it, None for "the default", else BadParameter."""
    if value is None or (value == "" and definition.type == "enum"):
        return None
    if definition.type == "bool":
        if not isinstance(value, bool):
            raise BadParameter(key, "must be true or false")
        return value
    if definition.type == "enum":
        if not isinstance(value, str) or value not in definition.options:
            choices = ", ".join(option for option in definition.options if option)
            raise BadParameter(key, f"must be one of {choices}")
        return value
    return _number(definition, key, value)


def _number(definition: ParamDef, key: str, value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise BadParameter(key, "must be a number")
    if definition.type == "int":
        if value != int(value):
            raise BadParameter(key, "must be a whole number")
        value = int(value)
    low, high = definition.minimum, definition.maximum
    if (low is not None and value < low) or (high is not None and value > high):
        raise BadParameter(key, _span(low, high))
    return value


def _span(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"must be between {_shown(low)} and {_shown(high)}"
    return f"must be at least {_shown(low)}" if high is None else f"must be at most {_shown(high)}"


def _shown(number: float | None) -> str:
    return str(int(number)) if number is not None and float(number).is_integer() else str(number)
