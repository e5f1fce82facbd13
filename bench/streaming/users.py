"""Synthetic signed-in users: rows and sessions written straight into Parley's database.

The harness runs Django on the same settings as the server (same database,
same Redis, same SECRET_KEY), so a session created here is one the server
accepts, exactly as if the user had signed in over HTTP.
"""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.hashers import make_password


def sign_in(count: int, tag: str) -> list[str]:
    """Create `count` users and one session each; return their session cookies' values."""
    User = get_user_model()
    password = make_password(None)  # unusable: nobody signs in as them over HTTP
    users = User.objects.bulk_create(
        User(email=f"bench-{tag}-{i}@example.invalid", password=password) for i in range(count)
    )
    store = import_module(settings.SESSION_ENGINE).SessionStore
    backend = settings.AUTHENTICATION_BACKENDS[0]
    keys = []
    for user in users:
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = backend
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        keys.append(session.session_key)
    return keys


def cookie(session_key: str) -> str:
    return f"{settings.SESSION_COOKIE_NAME}={session_key}"
