"""Real MCP servers for the client tests: npm's @modelcontextprotocol/server-everything
(installed by scripts/test-deps) over stdio, SSE and streamable HTTP, and faulty.py, a
server written with the `mcp` SDK that fails on request."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from endpoints.mcpservers import McpServerConfig, McpSettings

SERVERS = Path(__file__).resolve().parent / "servers"
EVERYTHING = (
    SERVERS / "everything/node_modules/@modelcontextprotocol/server-everything/dist/index.js"
)
FAULTY = SERVERS / "faulty.py"


def stdio_everything(**fields) -> McpServerConfig:
    return McpServerConfig(
        name="everything", transport="stdio", command="node", args=(str(EVERYTHING),), **fields
    )


def faulty(*args: str, **fields) -> McpServerConfig:
    fields.setdefault("timeout", 10.0)
    return McpServerConfig(
        name="faulty",
        transport="stdio",
        command=sys.executable,
        args=(str(FAULTY), *args),
        **fields,
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve(mode: str) -> Iterator[int]:
    port = _free_port()
    process = subprocess.Popen(
        ["node", str(EVERYTHING), mode],
        env={**os.environ, "PORT": str(port)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"server-everything {mode} did not start") from None
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture(scope="module")
def sse_port() -> Iterator[int]:
    yield from _serve("sse")


@pytest.fixture(scope="module")
def http_port() -> Iterator[int]:
    yield from _serve("streamableHttp")


def loopback(port: int) -> McpSettings:
    """Settings that let Parley reach a server on this loopback port (and no other)."""
    return McpSettings(allowed_addresses=frozenset({f"127.0.0.1:{port}"}))


def wait_for(predicate, seconds: float = 30.0) -> None:
    """Poll until `predicate()` holds (a bound on waiting, not an assertion on speed)."""
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        time.sleep(0.05)
