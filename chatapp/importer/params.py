"""A LibreChat conversation's or preset's parameters, through Parley's one allow-list.

LibreChat stores parameters as top-level fields of the document (snake_case or
camelCase by version). `clean` hands them to endpoints.userparams for the
endpoint as Parley has it configured, which keeps only what a user may set
there, under the panel's names, and drops a bad value instead of refusing the
record; an endpoint Parley does not have configured keeps no parameters, as
chatapp/transfer.py's import does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from endpoints import config, userparams

# Fields of a conversation or preset document that are never parameters.
STRUCTURE = frozenset({
    "conversationId", "presetId", "user", "title", "endpoint", "endpointType", "model",
    "promptPrefix", "isArchived", "tags", "files", "messages", "createdAt", "updatedAt",
    "expiredAt", "defaultPreset", "order", "chatGptLabel", "modelLabel", "iconURL", "greeting",
    "spec", "agent_id", "assistant_id",
})  # fmt: skip


def from_document(document: Mapping[str, Any]) -> dict[str, Any]:
    """The document's fields that may be parameters (scalars outside its structure)."""
    return {
        name: value
        for name, value in document.items()
        if not name.startswith("_")
        and name not in STRUCTURE
        and isinstance(value, bool | int | float | str)
    }


def clean(endpoint_name: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """What a user of `endpoint_name` may set, as endpoints.userparams allows it."""
    endpoint = config.current().get(endpoint_name)
    return userparams.clean(endpoint, params, drop_bad=True) if endpoint else {}
