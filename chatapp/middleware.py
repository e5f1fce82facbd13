"""HTTP middleware: page headers. (The client address: chatapp/forwarding.py, in ASGI.)"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class PageHeadersMiddleware:
    """HTML pages get the INDEX_HTML_* cache headers and, with NO_INDEX, X-Robots-Tag."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.NO_INDEX:
            response.headers["X-Robots-Tag"] = "noindex"
        if response.headers.get("Content-Type", "").startswith("text/html"):
            response.headers["Cache-Control"] = settings.INDEX_HTML_CACHE_CONTROL
            response.headers["Pragma"] = settings.INDEX_HTML_PRAGMA
            response.headers["Expires"] = settings.INDEX_HTML_EXPIRES
        return response
