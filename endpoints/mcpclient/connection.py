"""One open connection to one MCP server, on the official `mcp` SDK's client.

The SDK's `Client` is an async context manager whose streams belong to the task that
entered it, so each connection lives in a task of its own (`_run`) until `close()`;
calls from any task go through its session. The connection watches its read stream:
the end of it (the server exited or hung up) or a message that is not JSON-RPC marks
the connection lost, fails the calls in flight at once and lets the manager reconnect.
Every failure comes out as `McpFailure`, whose message is fit for the user.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

import anyio
import httpx2
import mcp_types
from mcp import Client
from mcp.client.sse import sse_client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

from endpoints import addresses, mcpservers
from endpoints.mcpclient.stdio import TooLarge, stdio_transport
from endpoints.mcpservers import McpServerConfig, McpSettings

log = logging.getLogger("parley.mcp")
MAX_MESSAGE_BYTES = 16 * 1024 * 1024  # LibreChat's MCP_STREAMABLE_HTTP_MAX_RESPONSE_BYTES
CLOSE_GRACE = 5.0  # seconds a closing connection has before its task is cancelled
STDERR_TAIL = 400  # characters of a stdio server's stderr quoted when it fails


class McpFailure(Exception):
    """The server could not be reached or did not answer; `str()` is for the user."""


@dataclass(frozen=True)
class RemoteTool:
    name: str
    description: str
    input_schema: Mapping[str, Any]


class _Watched:
    """The transport's read stream, noticing its end and anything that is not MCP."""

    def __init__(self, stream: Any, connection: Connection) -> None:
        self._stream = stream
        self._connection = connection

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)

    async def receive(self) -> Any:
        try:
            item = await self._stream.receive()
        except (anyio.EndOfStream, anyio.ClosedResourceError, anyio.BrokenResourceError):
            self._connection.lost("the server closed the connection")
            raise
        if isinstance(item, TooLarge):
            self._connection.lost(str(item))
        elif isinstance(item, Exception):
            self._connection.lost(f"the server sent something that is not MCP ({item})"[:300])
        return item

    def __aiter__(self) -> _Watched:
        return self

    async def __anext__(self) -> Any:
        try:
            return await self.receive()
        except anyio.EndOfStream:
            raise StopAsyncIteration from None

    async def __aenter__(self) -> _Watched:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._stream.aclose()

    async def aclose(self) -> None:
        await self._stream.aclose()


class Connection:
    """A server's session: `open()` once, `call()` any number of times, `close()`."""

    def __init__(self, server: McpServerConfig, settings: McpSettings) -> None:
        self.server = server
        self.settings = settings
        self.tools: tuple[RemoteTool, ...] = ()
        self.instructions = ""
        self.error = ""  # why it is not connected (when it is not), with the stderr's end
        self.reason = ""  # the same without it
        self.last_used = time.monotonic()
        self._client: Client | None = None
        self._task: asyncio.Task | None = None
        self._ready = asyncio.Event()
        self._closing = asyncio.Event()
        self._lost = asyncio.Event()
        self._stderr: Any = None

    @property
    def connected(self) -> bool:
        return self._ready.is_set() and not self._lost.is_set() and not self._closing.is_set()

    @property
    def ended(self) -> bool:
        """Lost or closed: it will not connect again (one still opening has not ended)."""
        return self._lost.is_set() or self._closing.is_set()

    def lost(self, reason: str) -> None:
        if not self._lost.is_set() and not self._closing.is_set():
            self.reason = reason
            self.error = self._with_stderr(reason)
            log.warning("MCP server %s: %s", self.server.name, self.error)
        self._lost.set()

    async def wait_lost(self) -> None:
        await self._lost.wait()

    async def open(self) -> None:
        """Connect, initialise and list the tools within `initTimeout`; McpFailure if not."""
        if self.server.url and self.server.transport != "stdio":
            try:
                await mcpservers.check_address(self.server.url, self.settings)
            except addresses.Refused as refusal:
                raise self._failed(str(refusal)) from refusal
        self._task = asyncio.create_task(self._run(), name=f"mcp:{self.server.name}")
        ready = asyncio.create_task(self._ready.wait())
        lost = asyncio.create_task(self._lost.wait())
        try:
            await asyncio.wait(
                {ready, lost, self._task},
                timeout=self.server.init_timeout,
                return_when=asyncio.FIRST_COMPLETED,
            )
        finally:
            ready.cancel()
            lost.cancel()
        if self.connected:
            return
        if not self.error:
            self.error = self._with_stderr(f"did not answer within {self.server.init_timeout:g} s")
        reason = self.error
        await self.close()
        raise self._failed(reason)

    def _failed_mid_call(self) -> McpFailure:
        reason = f"{self.reason or 'connection lost'} during the call"
        return self._failed(self._with_stderr(reason))

    def _failed(self, reason: str) -> McpFailure:
        self.error = reason
        return McpFailure(f"MCP server {self.server.label!r}: {reason}")

    async def call(self, name: str, arguments: Mapping[str, Any]) -> mcp_types.CallToolResult:
        """Call tool `name` within the server's `timeout`; McpFailure when it cannot answer."""
        self.last_used = time.monotonic()
        if not self.connected or self._client is None:
            raise self._failed(self.error or "not connected")
        call = asyncio.create_task(self._client.call_tool(name, dict(arguments)))
        lost = asyncio.create_task(self._lost.wait())
        try:
            done, _ = await asyncio.wait(
                {call, lost}, timeout=self.server.timeout, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            lost.cancel()
            if not call.done():
                call.cancel()
        self.last_used = time.monotonic()
        if call in done:
            try:
                return call.result()
            except MCPError as error:
                if self._lost.is_set():
                    raise self._failed_mid_call() from error
                raise McpFailure(f"{name}: {error.error.message}") from error
            except Exception as error:  # the SDK refused what the server sent
                self.lost(f"a malformed answer ({type(error).__name__}: {error})"[:300])
                raise self._failed(self.error) from error
        if lost in done:
            raise self._failed_mid_call()
        raise McpFailure(f"{name} did not finish within {self.server.timeout:g} s")

    async def close(self) -> None:
        """Close gracefully within CLOSE_GRACE, else at once. A cancellation of the caller
        (the manager's close_all cancelling a supervisor that is closing a lost connection)
        still closes, then goes on: swallowed, the supervisor would reconnect forever."""
        self._closing.set()
        task = self._task
        if task is not None and not task.done() and not self._ready.is_set():
            task.cancel()  # still connecting: nothing to close gracefully
        if task is not None and not task.done():
            try:
                await asyncio.wait_for(asyncio.shield(task), CLOSE_GRACE)
            except (TimeoutError, asyncio.CancelledError):
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task
                if _cancelling():
                    raise
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    async def _run(self) -> None:
        try:
            async with Client(self._transport(), cache=None) as client:
                self._client = client
                self.tools = await self._list_tools(client)
                self.instructions = client.instructions or ""
                self._ready.set()
                log.info("MCP server %s connected: %d tool(s)", self.server.name, len(self.tools))
                closing = asyncio.create_task(self._closing.wait())
                lost = asyncio.create_task(self._lost.wait())
                try:
                    await asyncio.wait({closing, lost}, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    closing.cancel()
                    lost.cancel()
        except Exception as error:  # BaseExceptionGroup of the SDK's task groups included
            if not self._closing.is_set():
                self.lost(describe(error))
        finally:
            self._client = None
            self._lost.set()

    async def _list_tools(self, client: Client) -> tuple[RemoteTool, ...]:
        found: list[RemoteTool] = []
        cursor: str | None = None
        for _page in range(100):  # a paginator that never ends cannot hang the connection
            page = await client.list_tools(cursor=cursor)
            found += [
                RemoteTool(t.name, t.description or "", dict(t.input_schema)) for t in page.tools
            ]
            cursor = page.next_cursor
            if not cursor:
                break
        return tuple(found)

    @contextlib.asynccontextmanager
    async def _transport(self) -> AsyncIterator[tuple[Any, Any]]:
        async with self._streams() as (read_stream, write_stream):
            yield _Watched(read_stream, self), write_stream

    def _streams(self) -> Any:
        server = self.server
        if server.transport == "stdio":
            assert server.command
            # Kept to quote its end when the server fails; closed by close().
            self._stderr = None if server.stderr_inherit else tempfile.TemporaryFile("w+")  # noqa: SIM115
            parameters = StdioServerParameters(
                command=server.command,
                args=list(server.args),
                env=dict(server.env) or None,
                cwd=server.cwd,
            )
            return stdio_transport(parameters, self._stderr or sys.stderr, MAX_MESSAGE_BYTES)
        assert server.url
        guard = addresses.request_guard(self.settings.allowed_addresses)

        async def checked(request: httpx2.Request) -> None:
            try:
                await guard(request)
            except addresses.Refused as refusal:
                raise httpx2.RequestError(str(refusal), request=request) from refusal

        hooks = {"request": [checked]}
        if server.transport == "sse":

            def factory(headers=None, timeout=None, auth=None) -> httpx2.AsyncClient:
                return httpx2.AsyncClient(
                    headers=headers, timeout=timeout, auth=auth, event_hooks=hooks
                )

            return sse_client(
                server.url,
                headers=dict(server.headers),
                timeout=server.init_timeout,
                httpx_client_factory=factory,
            )
        client = httpx2.AsyncClient(
            headers=dict(server.headers),
            timeout=httpx2.Timeout(server.init_timeout, read=300),
            event_hooks=hooks,
        )
        return _owned(
            client,
            streamable_http_client(
                server.url, http_client=client, max_sse_event_size=MAX_MESSAGE_BYTES
            ),
        )

    def _with_stderr(self, reason: str) -> str:
        if self._stderr is None:
            return reason
        try:
            self._stderr.seek(0)
            lines = [line.strip() for line in self._stderr.read().splitlines() if line.strip()]
        except (OSError, ValueError):
            return reason
        tail = " | ".join(lines[-3:])[-STDERR_TAIL:]
        return f"{reason}; its stderr ends: {tail}" if tail else reason


@contextlib.asynccontextmanager
async def _owned(client: httpx2.AsyncClient, transport: Any) -> AsyncIterator[Any]:
    """The streamable HTTP transport with its own HTTP client, closed after it."""
    async with client, transport as streams:
        yield streams


def describe(error: BaseException) -> str:
    """The innermost meaningful message of an error (task groups wrap them)."""
    while isinstance(error, BaseExceptionGroup) and error.exceptions:
        error = error.exceptions[0]
    if isinstance(error, MCPError):
        return error.error.message
    if isinstance(error, FileNotFoundError):
        return f"the command was not found ({error.filename or error})"
    if isinstance(error, httpx2.HTTPStatusError):
        return f"HTTP {error.response.status_code} from {error.request.url}"
    if isinstance(error, httpx2.RequestError):
        return f"could not reach it ({error})"
    return f"{type(error).__name__}: {error}"[:300]


def _cancelling() -> bool:
    """Whether the running task itself is being cancelled."""
    current = asyncio.current_task()
    return current is not None and current.cancelling() > 0
