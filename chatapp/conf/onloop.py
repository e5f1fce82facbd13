"""Middleware whose hooks are plain CPU work, run on the event loop when served asynchronously.

Under daphne Django's `MiddlewareMixin` runs each `process_request` and `process_response`
on a thread and back, a hop each (about 110 µs of CPU here, longer when a burst's threads
contend for the GIL): 23 hops for a /v1 request. WhiteNoise, able to run only
synchronously, put the middleware above it on a thread of their own too. The hooks here
read the request and set headers, settings and lazy objects, with no database and no
blocking I/O, so they run in place (`OnTheLoop`). What may touch the database or the
disk still goes to a thread, only when it has that to do: the session's save, stored
messages, a static file, the CSRF check of an unsafe request (it reads the form), and our
session-age, enrolment, parameter and page-header checks when there is a session, an
upload or an HTML page (chatapp.middleware, accounts).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from csp.middleware import CSPMiddleware as _CSP
from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware as _Authentication
from django.contrib.messages.middleware import MessageMiddleware as _Messages
from django.contrib.sessions.middleware import SessionMiddleware as _Session
from django.http import HttpRequest, HttpResponseBase
from django.middleware.clickjacking import XFrameOptionsMiddleware as _XFrameOptions
from django.middleware.common import CommonMiddleware as _Common
from django.middleware.csrf import CsrfViewMiddleware as _Csrf
from django.middleware.locale import LocaleMiddleware as _Locale
from django.middleware.security import SecurityMiddleware as _Security
from whitenoise.middleware import WhiteNoiseMiddleware

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")  # RFC 9110's; no form to read


def signed_in(request: HttpRequest) -> bool:
    """The request carries a session cookie. Without one, the session is empty and the
    user anonymous, known without reading the session store or the database."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES


def form_upload(request: HttpRequest) -> bool:
    """Reading request.POST parses a multipart body, writing its files to disk."""
    return request.content_type == "multipart/form-data"


async def call_hook(hook: Callable[..., Any], *args: Any, thread: bool) -> Any:
    """`hook(*args)`: on a thread when `thread` (it has database or disk work to do), else
    in place on the event loop."""
    return await sync_to_async(hook)(*args) if thread else hook(*args)


class OnTheLoop:
    """`MiddlewareMixin`'s hooks called in place of its thread hops (async mode only)."""

    get_response: Callable[[HttpRequest], Awaitable[HttpResponseBase]]

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        response = None
        if process_request := getattr(self, "process_request", None):
            response = process_request(request)
        response = response or await self.get_response(request)
        if process_response := getattr(self, "process_response", None):
            response = process_response(request, response)
        return response


class SecurityMiddleware(OnTheLoop, _Security):
    pass


class CSPMiddleware(OnTheLoop, _CSP):
    pass


class CommonMiddleware(OnTheLoop, _Common):
    pass


class LocaleMiddleware(OnTheLoop, _Locale):
    pass


class AuthenticationMiddleware(OnTheLoop, _Authentication):
    """Sets the lazy `request.user`; reading it is what touches the database."""


class CsrfViewMiddleware(OnTheLoop, _Csrf):
    """The token's cookie is read and set in place; the check of an unsafe request, which
    reads its form, on a thread."""

    async def process_view(self, request: HttpRequest, callback: Any, *args: Any) -> Any:
        decided = request.method in SAFE_METHODS or getattr(callback, "csrf_exempt", False)
        return await call_hook(super().process_view, request, callback, *args, thread=not decided)


class XFrameOptionsMiddleware(OnTheLoop, _XFrameOptions):
    pass


class SessionMiddleware(OnTheLoop, _Session):
    """The session is loaded lazily, by whoever reads it; saved on a thread when changed."""

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        self.process_request(request)
        response = await self.get_response(request)
        session = request.session
        saving = session.modified or settings.SESSION_SAVE_EVERY_REQUEST
        saving = saving and not session.is_empty()  # is_empty reads no store while a key is set
        return await call_hook(self.process_response, request, response, thread=saving)


class MessageMiddleware(OnTheLoop, _Messages):
    """Messages are stored (in a cookie or the session) on a thread when there are any."""

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        self.process_request(request)
        response = await self.get_response(request)
        storage = getattr(request, "_messages", None)
        storing = storage is not None and (storage.used or storage.added_new)
        return await call_hook(self.process_response, request, response, thread=storing)


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise in either mode: asynchronously, a path is looked up in place (a dict; the
    file system with WHITENOISE_AUTOREFRESH, in development) and only a file is served from
    a thread."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any], **kwargs: Any) -> None:
        super().__init__(get_response, **kwargs)
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self._acall(request)
        return super().__call__(request)

    async def _acall(self, request: HttpRequest) -> HttpResponseBase:
        path = request.path_info
        if self.autorefresh:
            static_file = await sync_to_async(self.find_file)(path)
        else:
            static_file = self.files.get(path)
        if static_file is None:
            return await self.get_response(request)
        return await sync_to_async(self.serve)(static_file, request)
