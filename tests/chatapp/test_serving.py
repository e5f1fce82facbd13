"""`manage.py serve` refuses an oversized body while it arrives, and hands a body to the
application a piece at a time (chatapp/serving.py)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import http.client
import io
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from collections import deque

import pytest
from autobahn.websocket.protocol import TrafficStats
from twisted.internet.testing import StringTransport
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import InvalidStatus

from chatapp.serving import QuietWebSocketProtocol, SpooledBody
from tests.chatapp.conf.test_startup import ROOT, clean_env, free_port

MIB = 1024 * 1024
HUGE = 50 * MIB
DISCONNECT = {"type": "http.disconnect"}


@pytest.fixture(scope="module")
def serve_env(tmp_path_factory) -> dict[str, str]:
    """The embedded default, migrated, on a free loopback port; uploads capped at 20 MB so
    that HUGE is over every route's limit (the default is 512 MB)."""
    data = tmp_path_factory.mktemp("serve")
    config = data / "librechat.yaml"
    config.write_text("version: 1.2.8\nfileConfig:\n  serverFileSizeLimit: 20\n")
    env = clean_env(data, HOST="127.0.0.1", PORT=str(free_port()), CONFIG_PATH=str(config))
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    return env


@pytest.fixture(scope="module")
def server(serve_env):
    """`manage.py serve` on serve_env."""
    env = serve_env
    process = subprocess.Popen(
        [sys.executable, "manage.py", "serve"], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    address = ("127.0.0.1", int(env["PORT"]))
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(address, timeout=1).close()
            break
        except OSError:
            assert process.poll() is None and time.monotonic() < deadline, "serve did not start"
            time.sleep(0.2)
    yield address
    process.terminate()
    process.wait(timeout=15)


def request_head(path: str, *headers: str) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", *headers, "", ""]
    return "\r\n".join(lines).encode()


def read_all(connection: socket.socket) -> bytes:
    received = b""
    while chunk := connection.recv(65536):
        received += chunk
    return received


def test_a_declared_50_mib_body_is_refused_before_any_of_it_is_sent(server):
    with socket.create_connection(server, timeout=10) as connection:
        connection.sendall(
            request_head("/accounts/login/", f"Content-Length: {HUGE}", "Expect: 100-continue")
        )
        answer = read_all(connection)  # the server answers and closes: no body was read
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert b"100 Continue" not in answer and b'"too_large"' in answer


def test_a_streamed_body_is_cut_off_at_the_largest_limit(server):
    block, sent = b"x" * MIB, 0
    with socket.create_connection(server, timeout=10) as connection:
        connection.sendall(request_head("/api/conversations/import", "Transfer-Encoding: chunked"))
        # The server closes the connection once it stops reading: sending then fails.
        with contextlib.suppress(OSError):
            while sent < HUGE:
                connection.sendall(b"%x\r\n%s\r\n" % (len(block), block))
                sent += len(block)
    assert sent < HUGE


def test_a_small_body_is_served(server):
    body = b'{"title": "x"}'
    with socket.create_connection(server, timeout=10) as connection:
        length = f"Content-Length: {len(body)}"
        connection.sendall(request_head("/api/conversations", length, "Connection: close") + body)
        answer = read_all(connection)
    assert answer.startswith(b"HTTP/1.1 403 ")  # Django's CSRF check: the app saw the request


def signed_in(env: dict[str, str]) -> str:
    """A session id for a new user, made in the served database by `manage.py shell`."""
    code = (
        "from django.contrib.auth import get_user_model; from django.test import Client; "
        "user = get_user_model().objects.create(email='serving@example.invalid'); "
        "client = Client(); client.force_login(user); print(client.cookies['sessionid'].value)"
    )
    run = [sys.executable, "manage.py", "shell", "-c", code]
    done = subprocess.run(run, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip().splitlines()[-1]


def zip_bytes(size: int) -> bytes:
    """A real zip archive of about `size` bytes (stored, incompressible)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("noise.bin", os.urandom(size))
    return out.getvalue()


def test_an_upload_spooled_to_disk_arrives_whole(server, serve_env):
    """3 MB: past Twisted's in-memory spool (100 KB) and Django's (2.5 MB)."""
    data, boundary, csrf = zip_bytes(3 * MIB), uuid.uuid4().hex, uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="endpoint"\r\n\r\nopenAI\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.zip"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    connection = http.client.HTTPConnection(*server, timeout=60)
    connection.request("POST", "/api/files", body=body, headers={
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        "Cookie": f"sessionid={signed_in(serve_env)}; csrftoken={csrf}",
        "X-CSRFToken": csrf,
    })  # fmt: skip
    response = connection.getresponse()
    stored = json.loads(response.read())
    assert response.status == 201, stored
    assert stored["size"] == len(data) and stored["mime"] == "application/zip"
    assert stored["sha256"] == hashlib.sha256(data).hexdigest()


def receive_all(body: SpooledBody) -> list[dict]:
    async def drain() -> list[dict]:
        messages = [await body()]
        while messages[-1].get("more_body"):
            messages.append(await body())
        return [*messages, await body()]

    return asyncio.run(drain())


def spooled(data: bytes, *queued: dict, spool: io.IOBase | None = None) -> SpooledBody:
    spool = spool or io.BytesIO()
    spool.write(data)
    queue: asyncio.Queue = asyncio.Queue()
    for message in queued:
        queue.put_nowait(message)
    return SpooledBody(spool, queue, piece=4)


def test_the_body_is_read_from_the_spool_a_piece_per_call_then_the_queue():
    # daphne queues a last empty piece of its own, then the disconnect: the first is skipped
    daphnes = {"type": "http.request", "body": b"", "more_body": False}
    with tempfile.TemporaryFile() as spool:
        messages = receive_all(spooled(b"0123456789", daphnes, DISCONNECT, spool=spool))
    assert [m.get("body") for m in messages[:-1]] == [b"0123", b"4567", b"89"]
    assert [m.get("more_body") for m in messages[:-1]] == [True, True, False]
    assert messages[-1] == DISCONNECT


def test_an_empty_body_is_one_last_empty_piece():
    messages = receive_all(spooled(b"", DISCONNECT))
    assert messages == [{"type": "http.request", "body": b"", "more_body": False}, DISCONNECT]


def test_daphnes_own_loop_finds_the_spool_at_its_end():
    body = spooled(b"0123456789")
    assert body.spool.read() == b""  # what daphne queues: one empty piece, skipped


def test_a_closed_spool_ends_the_body_with_the_disconnect():
    body = spooled(b"0123456789", DISCONNECT)
    body.spool.close()  # Twisted closes it when the connection is lost
    assert asyncio.run(body()) == DISCONNECT


async def test_a_socket_is_answered_through_the_quiet_protocol(server):
    # A socket with no session is refused at its handshake: the 403 is written by
    # QuietWebSocketProtocol (tests/chatapp/test_processes.py streams through it).
    host, port = server
    url = f"ws://{host}:{port}/ws/chat/"
    agent = "Mozilla/5.0 (X11; Linux x86_64) Firefox/131.0"
    with pytest.raises(InvalidStatus) as refused:
        async with ws_connect(url, origin="http://localhost:3080", user_agent_header=agent):
            pass
    assert refused.value.response.status_code == 403


def test_a_frame_on_an_open_socket_is_written_at_once_and_counted():
    protocol = QuietWebSocketProtocol()
    protocol.transport, protocol.state = StringTransport(), QuietWebSocketProtocol.STATE_OPEN
    protocol.send_queue, protocol.trafficStats = deque(), TrafficStats()
    protocol.logOctets = False
    protocol.sendData(b"a frame")
    assert protocol.transport.value() == b"a frame"
    assert protocol.trafficStats.outgoingOctetsWireLevel == len(b"a frame")


def test_a_frame_behind_queued_ones_joins_the_queue():
    protocol = QuietWebSocketProtocol()
    protocol.transport, protocol.state = StringTransport(), QuietWebSocketProtocol.STATE_OPEN
    protocol.send_queue, protocol.trafficStats = deque([(b"first", False)]), TrafficStats()
    protocol.triggered = True  # autobahn's writer is already on its way
    protocol.sendData(b"second")
    assert protocol.transport.value() == b""
    assert list(protocol.send_queue) == [(b"first", False), (b"second", False)]
