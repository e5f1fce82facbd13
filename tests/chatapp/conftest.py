"""Chat fixtures: a librechat.yaml whose endpoint is the real mock provider, and sockets."""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from chatapp.conf import dbthreads
from endpoints import config, registry

ENDPOINT = "Mock"
MODEL = "mock-small"
BROWSER = [(b"user-agent", b"Mozilla/5.0 (X11; Linux x86_64) Firefox/131.0")]


def librechat_yaml(
    mock_url: str,
    stream_rate: float = 1,
    token_config: str = "",
    titles: bool = False,
    api_key: str = "sk-mock",
) -> str:
    return f"""
version: 1.3.14
endpoints:
  custom:
    - name: {ENDPOINT}
      apiKey: {api_key}
      baseURL: {mock_url}
      models: {{default: [{MODEL}, mock-large]}}
      streamRate: {stream_rate}
      titleConvo: {str(titles).lower()}
{token_config}
"""


def use_config(settings, path: Path, text: str) -> None:
    path.write_text(text)
    settings.CONFIG_PATH = str(path)
    config.current.cache_clear()
    registry.current.cache_clear()


@pytest.fixture
def chat_endpoint(mock_provider, settings, tmp_path):
    """Point Parley at the mock provider; call it to change streamRate or tokenConfig."""

    def configure(
        stream_rate: float = 1, token_config: str = "", titles: bool = False, api_key="sk-mock"
    ) -> None:
        text = librechat_yaml(mock_provider.openai_url, stream_rate, token_config, titles, api_key)
        use_config(settings, tmp_path / "librechat.yaml", text)

    configure()
    yield configure
    config.current.cache_clear()
    registry.current.cache_clear()


@pytest.fixture
async def fresh_layer():
    """Each test runs on its own event loop: give it its own channel layer (a Redis
    layer's connections belong to one loop), and drop the database connection
    that async ORM calls, embedded tasks and the database threads leave in their threads."""
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    layer = channel_layers.backends.pop("default", None)
    if hasattr(layer, "close_pools"):
        await layer.close_pools()
    await sync_to_async(_forget_connections)()
    await asyncio.to_thread(_restart_task_pool)
    await asyncio.to_thread(dbthreads.shut_down)  # their connections closed, by their threads


def _restart_task_pool() -> None:
    """Embedded tasks (search indexing after a turn) run on chatapp.conf.dispatch's threads, which
    keep their in-memory SQLite connection: wait for them and start fresh threads."""
    from concurrent.futures import ThreadPoolExecutor

    from chatapp.conf import dispatch

    old = dispatch._pool
    dispatch._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="parley-task")
    old.shutdown(wait=True)


def _forget_connections() -> None:
    """Drop the worker thread's references to connections. Not close(): a connection
    object may be shared with the main thread's context, which pytest-django uses."""
    from django.db import connections

    for alias in list(connections):
        with contextlib.suppress(AttributeError):  # never opened in this thread
            del connections[alias]


def origin() -> bytes:
    """The configured client origin (DOMAIN_CLIENT), the one Parley's pages open sockets from."""
    from django.conf import settings

    return settings.CSRF_TRUSTED_ORIGINS[0].encode()


def session_key(user) -> str:
    """A session signed in for `user`, as the sign-in pages leave it."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


async def open_socket(
    user=None, headers=BROWSER, *, session: str | None = None, from_origin: bytes | None = None
) -> WebsocketCommunicator:
    """A socket through the real WebSocket stack (Origin check, session, user), not connected.

    Signed in as `user` (a fresh session) or with `session`; anonymous with neither.
    """
    from chatapp.routing import websocket_application

    if user is not None and session is None:
        session = await sync_to_async(session_key)(user)
    headers = [*headers, (b"origin", from_origin or origin())]
    if session is not None:
        headers.append((b"cookie", f"sessionid={session}".encode()))
    return WebsocketCommunicator(websocket_application(), "/ws/chat/", headers=headers)


async def connect(user, headers=BROWSER, *, session: str | None = None) -> WebsocketCommunicator:
    socket = await open_socket(user, headers, session=session)
    connected, _ = await socket.connect()
    assert connected
    return socket


async def frames_until(socket, kind: str, wait: float = 10) -> list[dict[str, Any]]:
    """Every frame received up to and including the first of type `kind`."""
    received = []
    while True:
        frame = await socket.receive_json_from(timeout=wait)
        assert json.loads(json.dumps(frame)) == frame
        received.append(frame)
        if frame["type"] == kind:
            return received


def send_frame(text: str, **fields: Any) -> dict[str, Any]:
    return {"type": "send", "conversation_id": None, "parent_id": None, "text": text,
            "endpoint": ENDPOINT, "model": MODEL, "params": {}, **fields}  # fmt: skip


def joined(frames: list[dict[str, Any]], field: str = "text") -> str:
    return "".join(f[field] for f in frames if f["type"] == "delta")


async def settle() -> None:
    """Let every generation of this process finish."""
    from chatapp.engine import generation

    await asyncio.wait_for(generation.wait_all(), timeout=20)


class Refusing:
    """The database itself refuses `event` (INSERT, UPDATE) on `table` where `when` holds (a
    trigger, on PostgreSQL or SQLite), as a database that fails does; `lift` ends it."""

    def __init__(self, event: str, table: str, when: str = "TRUE") -> None:
        self.event, self.table, self.when = event, table, when

    def __enter__(self) -> Refusing:
        on = f"BEFORE {self.event} ON {self.table} FOR EACH ROW WHEN ({self.when})"
        _run_sql({
            "postgresql": [
                "CREATE FUNCTION parley_test_refuse() RETURNS trigger LANGUAGE plpgsql"
                " AS $$ BEGIN RAISE EXCEPTION 'the database refused'; END $$",
                f"CREATE TRIGGER parley_test_refuse {on} EXECUTE FUNCTION parley_test_refuse()",
            ],
            "sqlite": [
                f"CREATE TRIGGER parley_test_refuse {on}"
                " BEGIN SELECT RAISE(ABORT, 'the database refused'); END"
            ],
        })  # fmt: skip
        return self

    def __exit__(self, *exc: object) -> None:
        self.lift()

    async def __aenter__(self) -> Refusing:
        return await sync_to_async(self.__enter__)()

    async def __aexit__(self, *exc: object) -> None:
        await sync_to_async(self.lift)()

    def lift(self) -> None:
        _run_sql({
            "postgresql": [
                f"DROP TRIGGER IF EXISTS parley_test_refuse ON {self.table}",
                "DROP FUNCTION IF EXISTS parley_test_refuse()",
            ],
            "sqlite": ["DROP TRIGGER IF EXISTS parley_test_refuse"],
        })  # fmt: skip


def _run_sql(by_vendor: dict[str, list[str]]) -> None:
    """The statements written for the test database's vendor."""
    from django.db import connection

    with connection.cursor() as cursor:
        for statement in by_vendor[connection.vendor]:
            cursor.execute(statement)
