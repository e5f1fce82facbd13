"""A bound on HTTP request bodies, enforced before Django reads them.

Django's ASGI handler reads the whole body (into memory, then a temporary
file) before any middleware or view runs, and DATA_UPLOAD_MAX_MEMORY_SIZE only
applies to form parsing. So the bound wraps the ASGI application: a request
whose Content-Length is over the limit is answered 413 without reading a byte
of its body, and a body that streams past the limit (chunked, or longer than
declared) is answered 413 at the first chunk over it; Django then sees a
client disconnect and stops. Nothing after that chunk is read.

The limit is `settings.MAX_BODY_BYTES` (PARLEY_MAX_BODY_BYTES), except on the
paths listed in `settings.MAX_BODY_BYTES_BY_PATH` (the conversation import), on
the upload path, where fileConfig.serverFileSizeLimit bounds it, and on the avatar
path, where fileConfig.avatarSizeLimit does (never below the general limit).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from django.conf import settings

from chatapp.files import avatars, policy

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

TOO_LARGE = 413
UPLOAD_PATH = "/api/files"
AVATAR_PATH = "/avatar"
MULTIPART_ROOM = 64 * 1024
DISCONNECT: Message = {"type": "http.disconnect"}


def limit_for(path: str) -> int:
    """The largest body, in bytes, accepted on `path` (without the script prefix)."""
    if path.rstrip("/") == UPLOAD_PATH:
        return upload_limit()
    if path.rstrip("/") == AVATAR_PATH:
        return avatar_limit()
    return settings.MAX_BODY_BYTES_BY_PATH.get(path.rstrip("/"), settings.MAX_BODY_BYTES)


def upload_limit() -> int:
    """fileConfig.serverFileSizeLimit, and room for the multipart form around the file."""
    return policy.server_limit() + MULTIPART_ROOM


def avatar_limit() -> int:
    """fileConfig.avatarSizeLimit and room for the form, or the general limit if larger."""
    return max(settings.MAX_BODY_BYTES, avatars.size_limit() + MULTIPART_ROOM)


def largest() -> int:
    """The largest body any route accepts: the server's own bound (chatapp/serving.py)."""
    by_path = settings.MAX_BODY_BYTES_BY_PATH.values()
    return max(settings.MAX_BODY_BYTES, upload_limit(), avatar_limit(), *by_path)


def too_large_response(limit: int) -> bytes:
    """A whole HTTP/1.1 413 response, for a server that answers before any application."""
    body = _error_body(limit)
    head = (
        "HTTP/1.1 413 Content Too Large\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + body


class BodyLimit:
    """ASGI middleware: 413 for a body over the limit, before it is read."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"].removeprefix(scope.get("root_path", "")) or "/"
        limit = limit_for(path)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(send, limit)
            return
        await self.app(scope, _Bounded(receive, send, limit), send)


class _Bounded:
    """`receive` that counts body bytes and cuts the request off past the limit.

    Django reads the whole body before it starts a response, so the 413 is
    always the first thing sent.
    """

    def __init__(self, receive: Receive, send: Send, limit: int) -> None:
        self.receive, self.send, self.limit = receive, send, limit
        self.received, self.refused = 0, False

    async def __call__(self) -> Message:
        if self.refused:
            return DISCONNECT
        message = await self.receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.limit:
                self.refused = True
                await _refuse(self.send, self.limit)
                return DISCONNECT  # Django drops what it has read and sends nothing
        return message


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server refuses it; the count below still bounds the body
    return None


def _error_body(limit: int) -> bytes:
    message = f"The request body is larger than the {limit:,} bytes accepted here."
    return json.dumps({"error": {"code": "too_large", "message": message}}).encode()


async def _refuse(send: Send, limit: int) -> None:
    body = _error_body(limit)
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": TOO_LARGE, "headers": headers})
    await send({"type": "http.response.body", "body": body})
