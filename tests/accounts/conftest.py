"""Fixtures for the sign-in tests: settings built from LibreChat-style variables.

`auth_env(**variables)` runs the real `accounts.env.auth_settings` on the given
variables, applies the result with `override_settings` and
rebuilds the URLconf (the OAuth callback routes depend on the settings).
"""

from __future__ import annotations

import importlib

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import clear_url_caches

from accounts.env import auth_settings

SERVER = "http://testserver"


def reload_urls() -> None:
    import accounts.urls
    import chatapp.urls

    importlib.reload(accounts.urls)
    importlib.reload(chatapp.urls)
    clear_url_caches()


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Sign-in tests hash many passwords; the hasher's strength is not what they test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def auth_env():
    """Also clears the cache, so rate-limit counters and discovery documents never leak."""
    applied: list[override_settings] = []
    cache.clear()

    def configure(**variables: str) -> dict:
        values = auth_settings(variables, domain_server=SERVER)
        override = override_settings(**values)
        override.enable()
        applied.append(override)
        reload_urls()
        return values

    yield configure
    for override in reversed(applied):
        override.disable()
    if applied:
        reload_urls()
    cache.clear()


@pytest.fixture
def smtp_sink():
    """A real SMTP server on loopback (plain, AUTH required of nobody but offered)."""
    from tests.accounts.servers.smtp import SMTPServer

    server = SMTPServer()
    sink = server.start()
    yield sink
    server.stop()


@pytest.fixture
def smtp_tls_sink(tmp_path):
    """A real SMTP server that requires STARTTLS, with a self-signed certificate."""
    from tests.accounts.servers.smtp import SMTPServer, self_signed

    server = SMTPServer(tls_context=self_signed(tmp_path, "mail.parley.test"))
    sink = server.start()
    yield sink
    server.stop()


@pytest.fixture
def mail_env(auth_env, settings, smtp_sink):
    """Sign-in settings with e-mail going to `smtp_sink`; tasks run in this process."""
    from tests.accounts.servers.smtp import PASSWORD, USERNAME

    settings.CELERY_TASK_ALWAYS_EAGER = True  # CI has a broker but no worker for these tests

    def configure(**variables: str) -> dict:
        return auth_env(
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(smtp_sink.port),
            EMAIL_USERNAME=USERNAME,
            EMAIL_PASSWORD=PASSWORD,
            EMAIL_FROM="noreply@parley.test",
            EMAIL_FROM_NAME="Parley",
            **variables,
        )

    return configure


@pytest.fixture
def start_openid_provider():
    """Starts real OpenID providers (oidc-provider on Node) and stops them afterwards."""
    from tests.accounts.servers import openid

    started: list[openid.OpenIDProvider] = []

    def start(**options: object) -> openid.OpenIDProvider:
        started.append(openid.start(**options))
        return started[-1]

    yield start
    for provider in started:
        provider.stop()


@pytest.fixture
def openid_env(auth_env):
    """Sign-in settings pointing at a running provider, with social sign-in and sign-up on."""
    from tests.accounts.servers.openid import CLIENT_ID, CLIENT_SECRET

    def configure(issuer: str, **variables: str) -> dict:
        defaults = {
            "ALLOW_SOCIAL_LOGIN": "true",
            "ALLOW_SOCIAL_REGISTRATION": "true",
            "OPENID_CLIENT_ID": CLIENT_ID,
            "OPENID_CLIENT_SECRET": CLIENT_SECRET,
            "OPENID_ISSUER": issuer,
            "OPENID_SCOPE": "openid profile email roles",
        }
        return auth_env(**{**defaults, **variables})

    return configure


@pytest.fixture
def slapd_server(tmp_path):
    """A real slapd on loopback with ou=users,dc=parley,dc=test (see servers/slapd.py)."""
    from tests.accounts.servers import slapd

    server = slapd.start(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def ldap_env(auth_env):
    """Sign-in settings for a running slapd; `url` may name a server that is down."""
    from tests.accounts.servers import slapd

    def configure(url: str, **variables: str) -> dict:
        defaults = {
            "LDAP_URL": url,
            "LDAP_BIND_DN": slapd.ADMIN_DN,
            "LDAP_BIND_CREDENTIALS": slapd.ADMIN_PASSWORD,
            "LDAP_USER_SEARCH_BASE": slapd.BASE,
            "LDAP_SEARCH_FILTER": "mail={{username}}",
        }
        return auth_env(**{**defaults, **variables})

    return configure


@pytest.fixture
def allowed_domains(settings, tmp_path):
    """Call with domains: a librechat.yaml whose `registration.allowedDomains` lists them."""
    from endpoints import config

    def configure(*domains: str) -> None:
        path = tmp_path / "librechat.yaml"
        listed = "".join(f"\n    - {domain}" for domain in domains)
        path.write_text(f"version: 1.3.14\nregistration:\n  allowedDomains:{listed or ' []'}\n")
        settings.CONFIG_PATH = str(path)
        config.current.cache_clear()

    yield configure
    config.current.cache_clear()
