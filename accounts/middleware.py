"""Refuse banned users and IPs on every page and API call, with a page saying until when."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts import bans

# Static files and the health check serve no user data and must keep working. Matched
# against the path inside Parley (path_info), which a sub-path deployment does not change.
EXEMPT_PREFIXES = ("/health", "/static/")


class BanMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(EXEMPT_PREFIXES):
            ban = bans.active_ban(request.user, request.META.get("REMOTE_ADDR"))
            if ban:
                context = {"message": bans.ban_message(ban.ends_at), "until": ban.ends_at}
                return render(request, "accounts/banned.html", context, status=403)
        return self.get_response(request)
