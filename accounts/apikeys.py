"""Personal API keys for the `/v1` API: made, checked and revoked here.

A key is `sk-parley-` and 40 random characters, shown once when it is made;
only its SHA-256 digest is stored (a random key of that length needs no slow
hash) with its first characters to tell keys apart. A key may carry a name, an
expiry, a model allow-list (`endpoint/model` ids or bare model names) and an IP
allow-list (addresses or CIDR networks), as seed 004's tokens do.

- `create(user, ...)` -> (ApiKey, the key's text);
- `authenticate(text, ip)` -> the ApiKey, or `KeyRefused` (401: unknown, revoked,
  expired, or used from an address outside its list);
- `allows_model(key, endpoint, model)`: its model allow-list;
- `revoke(user, key_id)`: the owner's own key only (404 for anyone else's).
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import ApiKey, User

PREFIX = "sk-parley-"
SHOWN = len(PREFIX) + 4  # characters of a key kept in clear, to tell keys apart
TOUCH_EVERY = timedelta(minutes=1)  # last_used_at is written at most this often


class KeyRefused(Exception):
    """A key that may not be used; `message` is OpenAI's wording for a bad key."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def create(
    user: User,
    *,
    name: str = "",
    expires_in_days: int | None = None,
    models: Iterable[str] = (),
    ips: Iterable[str] = (),
    keep_conversations: bool = False,
) -> tuple[ApiKey, str]:
    """A new key for `user`; its text is returned here and never again."""
    networks = [str(network(value)) for value in _items(ips)]
    text = PREFIX + secrets.token_urlsafe(30)
    expires = timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None
    key = ApiKey.objects.create(
        user=user,
        name=name.strip()[:100],
        prefix=text[:SHOWN],
        digest=digest(text),
        allowed_models=_items(models),
        allowed_ips=networks,
        keep_conversations=keep_conversations,
        expires_at=expires,
    )
    return key, text


def network(value: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """An address or a CIDR network; ValueError names a bad one."""
    try:
        return ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        raise ValueError(f"{value.strip()!r} is not an IP address or network") from None


def _items(values: Iterable[str]) -> list[str]:
    return [value.strip() for value in values if value and value.strip()]


def authenticate(text: str | None, ip: str | None) -> ApiKey:
    """The live key `text` names, used now from `ip`; `KeyRefused` otherwise."""
    if not text:
        raise KeyRefused("You didn't provide an API key.")
    key = ApiKey.objects.select_related("user").filter(digest=digest(text)).first()
    now = timezone.now()
    if key is None or key.revoked_at is not None or not key.user.is_active:
        raise KeyRefused(f"Incorrect API key provided: {_masked(text)}.")
    if key.expires_at is not None and key.expires_at <= now:
        raise KeyRefused(f"The API key {key.prefix}… expired.")
    if key.allowed_ips and not _from_allowed(key, ip):
        raise KeyRefused(f"The API key {key.prefix}… may not be used from {ip}.")
    if key.last_used_at is None or now - key.last_used_at >= TOUCH_EVERY:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key


def _masked(text: str) -> str:
    return f"{text[:6]}…{text[-4:]}" if len(text) > 12 else "…"


def _from_allowed(key: ApiKey, ip: str | None) -> bool:
    try:
        address = ipaddress.ip_address(ip or "")
    except ValueError:
        return False
    return any(address in network(value) for value in key.allowed_ips)


def allows_model(key: ApiKey, endpoint: str, model: str) -> bool:
    """Whether the key's model list takes `endpoint/model` (by its full id or bare name)."""
    return not key.allowed_models or bool({f"{endpoint}/{model}", model} & set(key.allowed_models))


def keys_for(user: User) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(user=user)


def revoke(user: User, key_id: object) -> ApiKey:
    """Revoke the user's key `key_id` (Http404 when it is not theirs)."""
    key = keys_for(user).filter(pk=key_id).first() if str(key_id).isdigit() else None
    if key is None:
        raise Http404("No such API key")
    revoke_keys(ApiKey.objects.filter(pk=key.pk))
    key.refresh_from_db()
    return key


def revoke_keys(keys: QuerySet[ApiKey]) -> int:
    """Revoke every key of `keys` not revoked yet (the admin's action); returns how many."""
    return keys.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
