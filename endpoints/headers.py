"""Header templates resolved per request (LibreChat semantics, reference §b.5).

`${VAR}` is resolved when the config loads (endpoints.config). Here, per
request: `{{LIBRECHAT_USER_<FIELD>}}` from the user, `{{LIBRECHAT_BODY_*}}` from
the chat request. Known placeholders without a value become "" (never sent
literally); unknown names stay as written. Provider-managed headers (auth,
version) always win over configured ones, except `anthropic-beta`, whose values
are merged.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Mapping
from typing import Any

from endpoints.adapters.base import RequestContext

PLACEHOLDER = re.compile(r"\{\{(LIBRECHAT_(?:USER|BODY)_[A-Z]+)\}\}")
USER_FIELDS = (
    "id", "name", "username", "email", "provider", "role", "googleId", "facebookId",
    "openidId", "samlId", "ldapId", "githubId", "discordId", "appleId", "emailVerified",
    "twoFactorEnabled", "termsAccepted", "termsAcceptedAt",
)  # fmt: skip
# Fields that may hold text outside Latin-1, which HTTP headers cannot carry raw.
FREE_TEXT = {"name", "username", "email"}
BETA = "anthropic-beta"


def user_fields(user: Any) -> dict[str, Any]:
    """LibreChat's user fields from a Parley user (missing attributes are absent)."""
    mfa = getattr(user, "two_factor_enabled", None)
    values = {
        "id": getattr(user, "pk", None),
        "name": getattr(user, "name", None),
        "username": getattr(user, "username", None),
        "email": getattr(user, "email", None),
        "provider": getattr(user, "provider", None),
        "role": getattr(user, "role", None),
        "emailVerified": getattr(user, "email_verified", None),
        "termsAccepted": getattr(user, "terms_accepted", None),
        "termsAcceptedAt": getattr(user, "terms_accepted_at", None),
        "twoFactorEnabled": mfa() if callable(mfa) else mfa,
    }
    for provider in ("google", "facebook", "openid", "saml", "ldap", "github", "discord", "apple"):
        values[f"{provider}Id"] = getattr(user, f"{provider}_id", None)
    return {key: value for key, value in values.items() if value is not None}


def _text(field: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value.isoformat() if hasattr(value, "isoformat") else value)
    if field in FREE_TEXT and any(ord(char) > 0xFF for char in text):
        return "b64:" + base64.b64encode(text.encode()).decode()
    return text


def _values(context: RequestContext) -> dict[str, str]:
    known = {"id": context.user_id, "email": context.user_email, "name": context.user_name}
    user = {**{k: v for k, v in known.items() if v}, **context.user_fields}
    values = {f"LIBRECHAT_USER_{name.upper()}": _text(name, user.get(name)) for name in USER_FIELDS}
    values["LIBRECHAT_BODY_CONVERSATIONID"] = context.conversation_id
    values["LIBRECHAT_BODY_PARENTMESSAGEID"] = context.parent_message_id
    values["LIBRECHAT_BODY_MESSAGEID"] = context.message_id
    return values


def resolve(templates: Mapping[str, str], context: RequestContext) -> dict[str, str]:
    """Every placeholder in the header values replaced for this request."""
    values = _values(context)

    def replace(match: re.Match[str]) -> str:
        return values.get(match[1], match[0])

    return {name: PLACEHOLDER.sub(replace, value) for name, value in templates.items()}


def merge_beta(*values: str | None) -> str:
    """Comma-separated `anthropic-beta` values, united without duplicates, in order."""
    seen: dict[str, None] = {}
    for value in values:
        for item in (value or "").split(","):
            if item.strip():
                seen.setdefault(item.strip(), None)
    return ",".join(seen)


def merge(shared: Mapping[str, str], own: Mapping[str, str]) -> dict[str, str]:
    """LibreChat's mergeHeaders: `own` wins per name (case-insensitive), betas are united."""
    mine = {name.lower() for name in own}
    result = {**{k: v for k, v in shared.items() if k.lower() not in mine}, **own}
    betas = [v for k, v in [*shared.items(), *own.items()] if k.lower() == BETA]
    if len(betas) > 1:
        result = {k: v for k, v in result.items() if k.lower() != BETA}
        result[BETA] = merge_beta(*betas)
    return result


def without(headers: Mapping[str, str], managed: Iterable[str]) -> dict[str, str]:
    """The configured headers minus those the provider's SDK manages (auth, version)."""
    names = {name.lower() for name in managed}
    return {name: value for name, value in headers.items() if name.lower() not in names}
