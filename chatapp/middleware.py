"""HTTP middleware: the client IP behind TRUST_PROXY hops, and page headers."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def client_ip(remote_addr: str, forwarded_for: str, hops: int) -> str:
    """The address `hops` proxies away, as Express's `trust proxy = n` computes it.

    The socket address is the first hop; the rest are read from X-Forwarded-For
    right to left. hops=0 trusts no proxy.
    """
    chain = [remote_addr] + [a.strip() for a in reversed(forwarded_for.split(",")) if a.strip()]
    return chain[min(hops, len(chain) - 1)]


class ClientIPMiddleware:
    """Replaces REMOTE_ADDR with the client address when proxies are trusted."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded and settings.TRUST_PROXY:
            remote = request.META.get("REMOTE_ADDR", "")
            request.META["REMOTE_ADDR"] = client_ip(remote, forwarded, settings.TRUST_PROXY)
        return self.get_response(request)


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
