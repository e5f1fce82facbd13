"""Session lifetime: REFRESH_TOKEN_EXPIRY caps a session's age; sign out everywhere."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

from accounts.models import User

STARTED_KEY = "parley_session_started"


def sign_out_everywhere(request: HttpRequest, user: User) -> None:
    """End every session of `user`, on every device, this one included."""
    User.objects.filter(pk=user.pk).update(session_generation=user.session_generation + 1)
    logout(request)


class SessionLifetimeMiddleware:
    """Signs out a session older than SESSION_MAX_AGE, however active it has been.

    The idle limit (SESSION_EXPIRY) is the cookie's own sliding expiry; this
    one counts from the first request the session was signed in for.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            started = request.session.setdefault(STARTED_KEY, now)
            if now - started > settings.SESSION_MAX_AGE:
                logout(request)
        return self.get_response(request)
