"""The web search keys a user enters for the fields the operator left unset: stored one
row per field like endpoint keys (chatapp/keys.py: sealed with chatapp/crypto.py, shown
masked, with an expiry), under the name `webSearch.<field>`."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from django.utils import timezone
from django.utils.translation import gettext as _

from chatapp import keys
from chatapp.conversations import BadRequest
from chatapp.tools.websearch.fetch import SETTING
from endpoints import addresses
from endpoints.websearch import WebSearchSettings

PREFIX = "webSearch."
URL_FIELD = "searxngInstanceUrl"


def user_values(user, settings: WebSearchSettings) -> dict[str, str]:
    """The user's unexpired values for the fields they may enter."""
    found = {}
    live = keys.live_keys(user)  # one read for every field (the chat page asks on each load)
    for name in settings.fields_for_users():
        stored = keys.decrypted(user, PREFIX + name, live.get(PREFIX + name))
        value = stored and (stored.api_key or stored.base_url)
        if value:
            found[name] = value
    return found


def save(user, settings: WebSearchSettings, values: Mapping[str, str], expiry: str) -> list[str]:
    """Store the non-empty values given; BadRequest for a field the user may not set, a bad
    SearXNG URL or an unknown expiry. Returns the fields saved."""
    if expiry not in keys.EXPIRY:
        raise BadRequest(_("Choose when the key expires."))
    allowed = settings.fields_for_users()
    given = {k: v.strip() for k, v in values.items() if isinstance(v, str) and v.strip()}
    for name in given:
        if name not in allowed:
            raise BadRequest(_("Web search does not take your own %(field)s.") % {"field": name})
    if URL_FIELD in given:
        _check_url(given[URL_FIELD], settings)
    lifetime = keys.EXPIRY[expiry][0]
    expires_at = timezone.now() + lifetime if lifetime else None
    for name, value in given.items():
        url = value if name == URL_FIELD else ""
        keys.store(user, PREFIX + name, "" if url else value, url, expires_at)
    return list(given)


def revoke(user, name: str) -> None:
    keys.revoke(user, PREFIX + name)


def _check_url(url: str, settings: WebSearchSettings) -> None:
    if urlsplit(url).scheme not in ("http", "https"):
        raise BadRequest(_("Enter the SearXNG URL, starting with http:// or https://."))
    try:
        addresses.check(url, settings.allowed_addresses, unresolved_ok=True, setting=SETTING)
    except addresses.Refused as refusal:
        raise BadRequest(str(refusal)) from refusal
