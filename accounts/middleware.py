"""Refuse banned users and IPs on every page and API call, with a page saying until when.

Served asynchronously (daphne), the check runs on the engine's few database threads
(chatapp.conf.dbthreads). On the request's own thread, which Django's ASGI handler
starts for each request, it opened a database connection per request and held it
for as long as the request lasted: a burst of 200 streaming /v1 requests asked
PostgreSQL for 200 connections at once ("too many clients", bench/README.md).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts import bans
from chatapp.conf import dbthreads

# Static files and the health check serve no user data and must keep working; the /v1 API
# checks the bans of its key's user and of the IP itself, in its own error shape and in the
# same database unit as its key (chatapp.gateway.views). Matched against the path inside
# Parley (path_info), which a sub-path deployment does not change.
EXEMPT_PREFIXES = ("/health", "/static/", "/v1/")


class BanMiddleware:
    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponse | Awaitable[HttpResponse]:
        if iscoroutinefunction(self):
            return self._acall(request)
        refusal = None if _exempt(request) else _refusal(request)
        return refusal or self.get_response(request)

    async def _acall(self, request: HttpRequest) -> HttpResponse:
        # An exempt path (the health check, static files) needs no database thread.
        refusal = None if _exempt(request) else await dbthreads.run(_refusal, request)
        return refusal or await self.get_response(request)


def _exempt(request: HttpRequest) -> bool:
    return request.path_info.startswith(EXEMPT_PREFIXES)


def _refusal(request: HttpRequest) -> HttpResponse | None:
    """The ban page when the request's user or IP is banned."""
    ban = bans.active_ban(request.user, request.META.get("REMOTE_ADDR"))
    if not ban:
        return None
    context = {"message": bans.ban_message(ban.ends_at), "until": ban.ends_at}
    return render(request, "accounts/banned.html", context, status=403)
