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
def fresh_cache():
    """Rate-limit counters and cached discovery documents must not leak between tests."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def auth_env():
    applied: list[override_settings] = []

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
