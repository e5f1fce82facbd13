"""RP-initiated logout: with OPENID_USE_END_SESSION_ENDPOINT, sign-out ends the provider's
session too."""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest
from django.utils.http import urlencode
from requests import RequestException

from accounts.openid import tokens

log = logging.getLogger(__name__)
# Where the sign-in (openid/views.py) keeps the ID token that sign-out hands back.
ID_TOKEN_SESSION_KEY = "openid_id_token"


def end_session_url(request: HttpRequest, after: str) -> str | None:
    """The provider's end-session URL returning to `after`, or None when not applicable."""
    config = settings.OPENID
    id_token = request.session.get(ID_TOKEN_SESSION_KEY)
    if not (config and config.use_end_session and id_token):
        return None
    try:
        endpoint = tokens.discovery(config.issuer).get("end_session_endpoint")
    except (RequestException, ValueError) as error:
        log.warning("OpenID end-session skipped: the provider cannot be reached (%s)", error)
        return None
    if not endpoint:
        log.warning("OpenID end-session skipped: the provider has no end_session_endpoint")
        return None
    query = {"id_token_hint": id_token, "post_logout_redirect_uri": after}
    return f"{endpoint}?{urlencode({**query, 'client_id': config.client_id})}"
