"""`manage.py serve` refuses an oversized body while it arrives (chatapp/serving.py)."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time

import pytest

from tests.chatapp.conf.test_startup import ROOT, clean_env, free_port

MIB = 1024 * 1024
HUGE = 50 * MIB


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`manage.py serve` on the embedded default, migrated, on a free loopback port; uploads
    capped at 20 MB so that HUGE is over every route's limit (the default is 512 MB)."""
    data = tmp_path_factory.mktemp("serve")
    config = data / "librechat.yaml"
    config.write_text("version: 1.2.8\nfileConfig:\n  serverFileSizeLimit: 20\n")
    env = clean_env(data, HOST="127.0.0.1", PORT=str(free_port()), CONFIG_PATH=str(config))
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
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
