"""A user's values for per-user MCP servers (`customUserVars`, `apiKey.source: user`),
sealed per user and server as user keys are (chatapp/keys.py); only their names and
whether each is set are ever shown again."""

from __future__ import annotations

import json

from django.utils.translation import gettext as _

from chatapp import crypto
from chatapp.conversations import BadRequest
from chatapp.models import McpUserValues
from endpoints.mcpservers import McpServerConfig, UserValues

MAX_VALUE = 2000  # characters of one value


def _context(user, server: str) -> str:
    return f"mcpvalues:{user.pk}:{server}"


def values_for(user, server: str) -> UserValues:
    """What the user gave for `server` (nothing: empty values)."""
    row = McpUserValues.objects.filter(owner=user, server=server).first()
    if row is None:
        return UserValues()
    try:
        data = json.loads(crypto.unseal(row.sealed, _context(user, server)))
    except crypto.DecryptionError:
        row.delete()  # CREDS_KEY changed: the user enters them again
        return UserValues()
    return UserValues(dict(data.get("variables") or {}), data.get("api_key") or "")


def save(user, server: McpServerConfig, variables: dict[str, str], api_key: str) -> None:
    """Store the user's values for `server`; a blank field keeps the value saved before."""
    if not server.user_vars and not server.user_key:
        raise BadRequest(_("This MCP server takes no values of yours."))
    known = values_for(user, server.name)
    merged = dict(known.variables)
    for name in server.user_vars:
        value = (variables.get(name) or "").strip()
        if len(value) > MAX_VALUE:
            raise BadRequest(_("A value is too long."))
        if value:
            merged[name] = value
    key = api_key.strip() or known.api_key if server.user_key else ""
    secret = json.dumps({"variables": merged, "api_key": key})
    McpUserValues.objects.update_or_create(
        owner=user,
        server=server.name,
        defaults={"sealed": crypto.seal(secret, _context(user, server.name))},
    )


def revoke(user, server: str) -> None:
    McpUserValues.objects.filter(owner=user, server=server).delete()
