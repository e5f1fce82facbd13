"""Who may call the /v1 API: the per-IP limit, the key, and the bans of the key's user and
of the IP, in one database unit (the ban middleware leaves /v1 to it). Each refusal is an
`ApiError` in OpenAI's words: 429, 401, 403 `banned`."""

from __future__ import annotations

from django.conf import settings

from accounts import apikeys, guards, limits
from accounts.models import ApiKey
from chatapp.gateway.errors import ApiError, from_refusal

RATE_WINDOW = 180  # seconds: GLOBAL_API_RATE_LIMIT counts per IP per three minutes


def admit(text: str | None, ip: str | None) -> ApiKey:
    """The live key `text` names, called from `ip`; ApiError otherwise. A banned IP is
    refused as banned whether or not its key is good."""
    limit = settings.GLOBAL_API_RATE_LIMIT
    if limit and ip and not limits.hit_window("api:ip", ip, limit, RATE_WINDOW).allowed:
        message = f"Too many requests from this IP: at most {limit} per 3 minutes."
        raise ApiError(429, "rate_limit_error", message, "rate_limit_exceeded")
    try:
        key, refused = apikeys.authenticate(text, ip), None
    except apikeys.KeyRefused as refusal:
        key, refused = None, refusal
    try:
        guards.check_connect(key.user if key else None, ip)
    except guards.Refusal as refusal:
        raise from_refusal(refusal) from None
    if refused is not None:
        raise ApiError(401, "invalid_request_error", refused.message, "invalid_api_key")
    return key
