"""Cloudflare Turnstile on the sign-in and sign-up forms.

The widget is librechat.yaml's `turnstile` (`siteKey`, `options.language`, `options.size`),
shown as LibreChat shows it. With TURNSTILE_SECRET_KEY set, Parley also checks the token the
widget puts in the form (`cf-turnstile-response`) with Cloudflare's siteverify endpoint
(TURNSTILE_VERIFY_URL) before it looks at the credentials, which LibreChat does not: a bot
that skips the widget gets a form error and costs no password hash. The hostname Cloudflare
says the challenge was solved on must be the request's host, so a token solved on another
site that uses the same widget is refused. Without the widget
nothing is checked (nobody could get a token), and a failed check is always a refusal: an
unreachable Cloudflare refuses too, rather than let every bot through.

The widget's script and frame come from challenges.cloudflare.com; only the pages that show
it add that origin to their Content-Security-Policy (`allow_widget`).
"""

from __future__ import annotations

import json
import logging
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

ORIGIN = "https://challenges.cloudflare.com"
SCRIPT = f"{ORIGIN}/turnstile/v0/api.js"
FIELD = "cf-turnstile-response"  # the hidden input the widget adds to its form
TOKEN_MAX = 2048  # Cloudflare's limit on a token's length
TIMEOUT = 10  # seconds for a siteverify call
SIZES = ("normal", "compact", "flexible")  # `invisible` is the widget mode set at Cloudflare
log = logging.getLogger(__name__)

MISSING = _("Please complete the verification challenge.")
FAILED = _("The verification failed. Please try the challenge again.")
EXPIRED = _("The verification expired or was already used. Please try the challenge again.")
UNREACHABLE = _("The verification service could not be reached. Please try again in a moment.")
MISCONFIGURED = _(
    "The verification could not be checked: the site's Turnstile secret is wrong. "
    "Please tell the site's administrator."
)


@dataclass(frozen=True)
class Widget:
    site_key: str
    language: str
    size: str | None  # data-size; None leaves Cloudflare's default


def widget() -> Widget | None:
    """The running configuration's widget, or None when `turnstile` is absent."""
    from endpoints import config  # accounts reads the config lazily, as registration.py does

    file = config.current().file
    section = file.turnstile if file else None
    if section is None:
        return None
    options = section.options
    size = options.size if options and options.size in SIZES else None
    language = (options.language if options else None) or "auto"
    return Widget(site_key=section.siteKey, language=language, size=size)


def refusal(token: str | None, remote_ip: str | None, host: str | None = None) -> str | None:
    """Why a sign-in or sign-up is refused (None: it passes). Checked only when the widget
    shows and TURNSTILE_SECRET_KEY is set; `host` is the request's host name (no port)."""
    if not (settings.TURNSTILE_SECRET_KEY and widget()):
        return None
    if not token:
        return str(MISSING)
    if len(token) > TOKEN_MAX:
        return str(FAILED)
    try:
        outcome = siteverify(token, remote_ip)
    except (OSError, ValueError) as error:  # unreachable, an HTTP error, or not JSON
        log.warning("Turnstile siteverify failed: %s", error)
        return str(UNREACHABLE)
    if outcome.get("success") is True:
        return _foreign_host(outcome.get("hostname"), host)
    codes = set(outcome.get("error-codes") or ())
    if codes & {"missing-input-secret", "invalid-input-secret"}:
        log.error("Turnstile refused TURNSTILE_SECRET_KEY: %s", sorted(codes))
        return str(MISCONFIGURED)
    return str(EXPIRED if "timeout-or-duplicate" in codes else FAILED)


def _foreign_host(solved_on: object, host: str | None) -> str | None:
    """FAILED when the challenge was solved on another host than the one signed in to: the
    request's, or the public one DOMAIN_CLIENT / DOMAIN_SERVER name (a proxy that does not
    pass the Host header on still works)."""
    if host is None:
        return None
    ours = {
        host,
        urlsplit(settings.DOMAIN_CLIENT).hostname,
        urlsplit(settings.DOMAIN_SERVER).hostname,
    }
    if isinstance(solved_on, str) and solved_on.lower() in {h.lower() for h in ours if h}:
        return None
    log.warning("Turnstile token solved on %r, not on this host %r", solved_on, host)
    return str(FAILED)


def siteverify(token: str, remote_ip: str | None) -> dict:
    """Cloudflare's answer for `token`: `success`, `error-codes`, ..."""
    fields = {"secret": settings.TURNSTILE_SECRET_KEY, "response": token}
    if remote_ip:
        fields["remoteip"] = remote_ip
    request = urllib.request.Request(
        settings.TURNSTILE_VERIFY_URL,
        data=urlencode(fields).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
        outcome = json.loads(response.read(65536))
    if not isinstance(outcome, dict):
        raise ValueError("siteverify answered something other than an object")
    return outcome


def allow_widget(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """`view` with Turnstile's script and frame origin in its page's policy, when configured."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if widget():
            response._csp_update = {"script-src": [ORIGIN], "frame-src": [ORIGIN]}
        return response

    return wrapped
