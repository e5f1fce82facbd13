"""Request bodies over the limit get 413 before they are read (chatapp/bodylimit.py)."""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import os

import pytest
from django.core.asgi import get_asgi_application

from chatapp.bodylimit import BodyLimit, largest, limit_for
from tests.webprocess import WebProcess

MIB = 1024 * 1024
CHUNK = 64 * 1024
HUGE = 50 * MIB


class Client:
    """Drives an ASGI app with one POST whose body arrives in CHUNK-byte pieces."""

    def __init__(self, size: int, declare: bool) -> None:
        self.size, self.declare = size, declare
        self.pulled = 0  # body bytes the app asked for
        self.sent: list[dict] = []

    def scope(self, path: str) -> dict:
        headers = [(b"host", b"localhost"), (b"content-type", b"application/json")]
        if self.declare:
            headers.append((b"content-length", str(self.size).encode()))
        return {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
            "method": "POST", "scheme": "http", "path": path, "raw_path": path.encode(),
            "root_path": "", "query_string": b"", "headers": headers,
            "client": ("127.0.0.1", 50000), "server": ("localhost", 80),
        }  # fmt: skip

    async def receive(self) -> dict:
        if self.pulled >= self.size:
            await asyncio.sleep(3600)  # the client is waiting for the answer
        piece = min(CHUNK, self.size - self.pulled)
        self.pulled += piece
        return {"type": "http.request", "body": b"x" * piece, "more_body": self.pulled < self.size}

    async def send(self, message: dict) -> None:
        self.sent.append(message)

    def post(self, path: str) -> int:
        app = BodyLimit(get_asgi_application())
        call = app(self.scope(path), self.receive, self.send)
        asyncio.run(asyncio.wait_for(call, 30))
        return self.sent[0]["status"]


@pytest.mark.parametrize("path", ["/api/conversations/import", "/accounts/login/"])
def test_declared_huge_body_is_refused_unread(path):
    client = Client(HUGE, declare=True)
    assert client.post(path) == 413
    assert client.pulled == 0
    assert b"too_large" in client.sent[1]["body"]


@pytest.mark.parametrize("path", ["/api/conversations/import", "/accounts/login/"])
def test_streamed_huge_body_is_cut_off_at_the_limit(path):
    client = Client(HUGE, declare=False)
    assert client.post(path) == 413
    assert client.pulled <= limit_for(path) + CHUNK  # the app stopped receiving
    assert len(client.sent) == 2  # the 413 and nothing after it


def test_import_has_its_own_larger_limit(settings):
    assert limit_for("/api/conversations/import") == settings.MAX_IMPORT_BYTES
    assert limit_for("/api/conversations") == settings.MAX_BODY_BYTES < settings.MAX_IMPORT_BYTES


@pytest.mark.django_db(transaction=True)
def test_uploads_are_bounded_by_server_file_size_limit(settings, tmp_path):
    from endpoints import config

    path = tmp_path / "librechat.yaml"
    path.write_text("version: 1.3.14\nfileConfig:\n  serverFileSizeLimit: 2\n")
    settings.CONFIG_PATH = str(path)
    config.current.cache_clear()
    try:
        assert limit_for("/api/files") == 2 * MIB + 64 * 1024
        assert Client(3 * MIB, declare=True).post("/api/files") == 413
    finally:
        config.current.cache_clear()


def test_the_avatar_route_is_bounded_by_avatar_size_limit(settings, tmp_path):
    from endpoints import config

    assert limit_for("/avatar") == settings.MAX_BODY_BYTES  # 3 MiB: over LibreChat's 2 MB
    path = tmp_path / "librechat.yaml"
    path.write_text("version: 1.3.14\nfileConfig:\n  avatarSizeLimit: 5\n")
    settings.CONFIG_PATH = str(path)
    config.current.cache_clear()
    try:
        assert limit_for("/avatar") == 5 * MIB + 64 * 1024 <= largest()
    finally:
        config.current.cache_clear()


@pytest.mark.django_db  # the ban check on every request reads the database
def test_a_body_under_the_limit_reaches_django(settings):
    settings.MAX_BODY_BYTES = 2 * MIB
    client = Client(MIB, declare=True)
    assert client.post("/api/conversations") == 403  # CSRF: Django read and judged it
    assert client.pulled == MIB


def test_live_server_answers_413_to_a_50_mib_post():
    web = WebProcess(dict(os.environ))
    try:
        connection = http.client.HTTPConnection("127.0.0.1", web.port, timeout=60)
        connection.putrequest("POST", "/api/conversations/import")
        connection.putheader("Content-Type", "application/json")
        connection.putheader("Content-Length", str(HUGE))
        connection.endheaders()
        block = b"x" * MIB
        # The server may hang up once it has answered: the answer is still read below.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            for _ in range(HUGE // MIB):
                connection.send(block)
        response = connection.getresponse()
        assert response.status == 413
        assert b"too_large" in response.read()
    finally:
        web.stop()
