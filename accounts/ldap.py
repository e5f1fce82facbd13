"""LDAP_* variables → django-auth-ldap settings (the optional `parley[ldap]` extra).

Imported by settings.py, so it touches python-ldap only when LDAP_URL is set;
without the extra installed, that is a start-up error saying how to install it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from chatapp.conf import environment as parse
from chatapp.conf.environment import EnvError
from chatapp.conf.startup import StartupError

INSTALL_HINT = (
    "LDAP_URL is set but LDAP support is not installed: install Debian's libldap2-dev and "
    "libsasl2-dev, then `uv sync --extra ldap` (or `pip install 'parley[ldap]'`)"
)


def search_filter(raw: str) -> str:
    """LibreChat's `{{username}}` placeholder → django-auth-ldap's `%(user)s`."""
    escaped = raw.replace("%", "%%")
    return re.sub(r"\{\{\s*username\s*\}\}", "%(user)s", escaped)


def attributes(env: Mapping[str, str]) -> dict[str, Any]:
    """Which directory attributes fill the user (LibreChat's LDAP_ID, LDAP_EMAIL, ...)."""
    full_name = parse.text(env, "LDAP_FULL_NAME")
    return {
        "id": parse.text(env, "LDAP_ID"),
        "username": parse.text(env, "LDAP_USERNAME"),
        "email": parse.text(env, "LDAP_EMAIL"),
        "full_name": [a.strip() for a in full_name.split(",") if a.strip()],
    }


def _tls_options(env: Mapping[str, str], ldap: Any) -> dict[Any, Any]:
    options: dict[Any, Any] = {ldap.OPT_REFERRALS: 0, ldap.OPT_NETWORK_TIMEOUT: 5}
    ca = parse.text(env, "LDAP_CA_CERT_PATH")
    if ca:
        if not Path(ca).is_file():
            raise EnvError("LDAP_CA_CERT_PATH", ca, "the path of a readable CA certificate")
        options[ldap.OPT_X_TLS_CACERTFILE] = ca
    if not parse.boolean(env, "LDAP_TLS_REJECT_UNAUTHORIZED", default=True):
        options[ldap.OPT_X_TLS_REQUIRE_CERT] = ldap.OPT_X_TLS_NEVER
    if len(options) > 2:
        options[ldap.OPT_X_TLS_NEWCTX] = 0  # apply the TLS options to this connection
    return options


def ldap_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """AUTH_LDAP_* settings, or {} when LDAP_URL is unset."""
    url = parse.url(env, "LDAP_URL", schemes=("ldap", "ldaps"))
    if not url:
        return {}
    base = parse.text(env, "LDAP_USER_SEARCH_BASE")
    if not base:
        expected = "a search base (e.g. ou=users,dc=example,dc=com)"
        raise EnvError("LDAP_USER_SEARCH_BASE", "", expected)
    try:
        import ldap
        from django_auth_ldap.config import LDAPSearch
    except ImportError:
        raise StartupError(INSTALL_HINT) from None
    query = search_filter(parse.text(env, "LDAP_SEARCH_FILTER", "mail={{username}}"))
    query = query if query.startswith("(") else f"({query})"
    return {
        "AUTH_LDAP_SERVER_URI": url,
        "AUTH_LDAP_BIND_DN": parse.text(env, "LDAP_BIND_DN"),
        "AUTH_LDAP_BIND_PASSWORD": parse.text(env, "LDAP_BIND_CREDENTIALS"),
        "AUTH_LDAP_USER_SEARCH": LDAPSearch(base, ldap.SCOPE_SUBTREE, query),
        "AUTH_LDAP_START_TLS": parse.boolean(env, "LDAP_STARTTLS"),
        "AUTH_LDAP_CONNECTION_OPTIONS": _tls_options(env, ldap),
        "AUTH_LDAP_ALWAYS_UPDATE_USER": True,
        "AUTH_LDAP_USER_ATTR_MAP": {},  # accounts.ldap_backend fills the user itself
        "LDAP_ATTRIBUTES": attributes(env),
    }
