"""User-provided credentials: an endpoint configured with `apiKey: user_provided` (and/or
`baseURL: user_provided`) is used with the key and URL each user enters for it.

Stored encrypted per user and endpoint (chatapp/crypto.py), shown only masked,
never sent back to the browser, and gone once expired.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chatapp import crypto
from chatapp.conversations import BadRequest
from chatapp.models import UserKey
from endpoints import addresses
from endpoints.endpoint import Endpoint

# LibreChat's expiry choices; 12 hours is its default.
EXPIRY: dict[str, tuple[timedelta | None, str]] = {
    "2h": (timedelta(hours=2), gettext_lazy("2 hours")),
    "12h": (timedelta(hours=12), gettext_lazy("12 hours")),
    "1d": (timedelta(days=1), gettext_lazy("1 day")),
    "7d": (timedelta(days=7), gettext_lazy("7 days")),
    "30d": (timedelta(days=30), gettext_lazy("30 days")),
    "never": (None, gettext_lazy("Never")),
}
DEFAULT_EXPIRY = "12h"


@dataclass(frozen=True)
class Credentials:
    api_key: str | None
    base_url: str | None


def mask(secret: str) -> str:
    """Enough to recognise a key, never enough to use it."""
    if len(secret) <= 8:
        return "•" * len(secret)
    return f"{secret[:3]}…{secret[-4:]}"


def _context(user, endpoint_name: str) -> str:
    return f"userkey:{user.pk}:{endpoint_name}"


def save(user, endpoint: Endpoint, api_key: str, base_url: str, expiry: str) -> UserKey:
    """Store (or replace) the user's credentials for `endpoint`."""
    api_key, base_url = api_key.strip(), base_url.strip()
    if not endpoint.takes_user_credentials:
        raise BadRequest(_("This endpoint does not take your own key."))
    if endpoint.user_provides_key and not api_key:
        raise BadRequest(_("Enter the API key."))
    if endpoint.user_provides_url:
        if urlsplit(base_url).scheme not in ("http", "https"):
            raise BadRequest(_("Enter the base URL, starting with http:// or https://."))
        try:
            # A host that does not resolve now may be saved: each request checks again.
            addresses.check(base_url, endpoint.allowed_addresses, unresolved_ok=True)
        except addresses.Refused as refusal:
            raise BadRequest(str(refusal)) from refusal
    if expiry not in EXPIRY:
        raise BadRequest(_("Choose when the key expires."))
    lifetime = EXPIRY[expiry][0]
    expires_at = timezone.now() + lifetime if lifetime else None
    return store(user, endpoint.name, api_key, base_url, expires_at)


def store(user, endpoint_name: str, api_key: str, base_url: str, expires_at: datetime | None):
    """Seal and store (or replace) credentials already checked (by `save`, or an import)."""
    secret = json.dumps({"api_key": api_key or None, "base_url": base_url or None})
    row, _created = UserKey.objects.update_or_create(
        owner=user,
        endpoint=endpoint_name,
        defaults={
            "sealed": crypto.seal(secret, _context(user, endpoint_name)),
            "hint": mask(api_key) if api_key else base_url[:40],
            "expires_at": expires_at,
        },
    )
    return row


def live_keys(user, now: datetime | None = None) -> dict[str, UserKey]:
    """The user's unexpired keys by endpoint; expired ones are deleted on the way.

    One query when none has expired (the chat page asks on every load): the DELETE, in
    a transaction of its own, ran whether or not there was anything to delete."""
    now = now or timezone.now()
    rows = list(UserKey.objects.filter(owner=user))
    expired = {row.pk for row in rows if row.expires_at is not None and row.expires_at <= now}
    if expired:
        UserKey.objects.filter(pk__in=expired).delete()
    return {row.endpoint: row for row in rows if row.pk not in expired}


def credentials_for(user, endpoint: Endpoint, now: datetime | None = None) -> Credentials | None:
    """The decrypted credentials the user gave for `endpoint`, or None (none, or expired)."""
    return credentials_named(user, endpoint.name, now)


def credentials_named(user, name: str, now: datetime | None = None) -> Credentials | None:
    """The decrypted credentials stored under `name` (an endpoint's, or a web search key
    field's, chatapp/tools/websearch/credentials.py), or None."""
    return decrypted(user, name, live_keys(user, now).get(name))


def decrypted(user, name: str, row: UserKey | None) -> Credentials | None:
    """The decrypted credentials of `row`, the user's key stored under `name` (one of
    `live_keys`), or None. Several names read from one `live_keys` cost one query."""
    if row is None:
        return None
    try:
        data = json.loads(crypto.unseal(row.sealed, _context(user, name)))
    except crypto.DecryptionError:
        row.delete()  # CREDS_KEY changed: the user has to enter the key again
        return None
    return Credentials(api_key=data.get("api_key"), base_url=data.get("base_url"))


def revoke(user, endpoint_name: str) -> None:
    UserKey.objects.filter(owner=user, endpoint=endpoint_name).delete()
