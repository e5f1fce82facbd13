"""Every MCP connection of this process, on one event loop of its own.

The connections live on a daemon thread's loop ("parley-mcp"), apart from the loops that
serve requests: a connection outlives the socket and the turn that opened it, a page or
a turn never waits for a server it does not use, and callers on any loop reach it
through `submit` (cancelling the caller cancels the call).

App-level servers (no user variables, key or fields) connect once at start-up (or at
first use when `startup: false`) and reconnect after a loss with a growing delay (1 s
doubling to 5 min). Per-user servers connect on a user's first use and close after 15
idle minutes.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Coroutine
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, TypeVar

from endpoints import mcpservers
from endpoints.adapters.base import RequestContext
from endpoints.mcpclient.connection import Connection, McpFailure
from endpoints.mcpservers import McpConfig, McpServerConfig, UserValues

log = logging.getLogger("parley.mcp")
T = TypeVar("T")
IDLE_SECONDS = 15 * 60  # LibreChat closes idle user connections after 15 minutes
FIRST_DELAY, MAX_DELAY = 1.0, 300.0  # reconnect back-off, seconds
STEADY = 60.0  # a connection that lasted this long resets the back-off


@dataclass(frozen=True)
class Status:
    state: str  # "connected", "connecting", "down", "idle" (not connected yet), "unavailable"
    reason: str = ""
    tools: int = 0


class Manager:
    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.app: dict[str, Connection] = {}
        self.app_status: dict[str, Status] = {}
        self.users: dict[tuple[int, str], Connection] = {}
        self._supervisors: dict[str, asyncio.Task] = {}
        self._locks: dict[Any, asyncio.Lock] = {}
        self._thread = threading.Thread(target=self._serve, name="parley-mcp", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.create_task(self._reap_forever())
        self.loop.run_forever()

    async def submit(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run `coroutine` on the MCP loop and await it from the caller's loop."""
        future = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        return await asyncio.wrap_future(future)

    def submit_threadsafe(self, coroutine: Coroutine[Any, Any, T]) -> Future[T]:
        """The same from synchronous code (a database thread, check_config, tests)."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop)

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        return self.submit_threadsafe(coroutine).result(timeout)

    # --- app-level servers ------------------------------------------------

    def start(self, config: McpConfig) -> None:
        """Connect every app-level server marked `startup` (off the caller's thread)."""
        for server in config.servers.values():
            if server.unavailable:
                self.app_status[server.name] = Status("unavailable", server.unavailable)
            elif not server.per_user:
                self.app_status.setdefault(server.name, Status("idle"))
                if server.startup:
                    self.loop.call_soon_threadsafe(self._supervise, server, config)

    def _supervise(self, server: McpServerConfig, config: McpConfig) -> asyncio.Task:
        task = self._supervisors.get(server.name)
        if task is None or task.done():
            task = self.loop.create_task(self._keep_connected(server, config))
            self._supervisors[server.name] = task
        return task

    async def _keep_connected(self, server: McpServerConfig, config: McpConfig) -> None:
        filled = mcpservers.for_user(server, RequestContext(), UserValues())
        delay = FIRST_DELAY
        while True:
            connection = Connection(filled, config.settings)
            self.app_status[server.name] = Status("connecting")
            started = time.monotonic()
            try:
                await connection.open()
            except McpFailure:
                self.app_status[server.name] = Status("down", connection.error)
            else:
                self.app[server.name] = connection
                self.app_status[server.name] = Status("connected", tools=len(connection.tools))
                await connection.wait_lost()
                await connection.close()
                self.app_status[server.name] = Status("down", connection.error)
            if time.monotonic() - started > STEADY:
                delay = FIRST_DELAY
            log.info("MCP server %s: reconnecting in %g s", server.name, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_DELAY)

    async def app_connection(self, server: McpServerConfig, config: McpConfig) -> Connection:
        """The server's live connection; a first use of a `startup: false` server waits
        for its first attempt (within initTimeout)."""
        connection = self.app.get(server.name)
        if connection is not None and connection.connected:
            return connection
        task = self._supervise(server, config)
        deadline = time.monotonic() + server.init_timeout
        while time.monotonic() < deadline and not task.done():
            status = self.app_status.get(server.name)
            if status and status.state in ("connected", "down"):
                break
            await asyncio.sleep(0.05)
        connection = self.app.get(server.name)
        if connection is not None and connection.connected:
            return connection
        status = self.app_status.get(server.name, Status("down", "not connected"))
        raise McpFailure(f"MCP server {server.label!r} is down: {status.reason or status.state}")

    # --- per-user servers -------------------------------------------------

    async def user_connection(
        self, user_id: int, server: McpServerConfig, config: McpConfig
    ) -> Connection:
        """The user's connection to `server` (already filled for them), opened if needed."""
        key = (user_id, server.name)
        async with self._locks.setdefault(key, asyncio.Lock()):
            connection = self.users.get(key)
            if connection is not None and connection.connected and connection.server == server:
                return connection
            if connection is not None:
                await connection.close()
            connection = Connection(server, config.settings)
            self.users[key] = connection
            await connection.open()
            return connection

    def user_status(self, user_id: int, name: str) -> Status:
        connection = self.users.get((user_id, name))
        if connection is None:
            return Status("idle")
        if connection.connected:
            return Status("connected", tools=len(connection.tools))
        return Status("down", connection.error) if connection.error else Status("connecting")

    async def _reap_forever(self, every: float = 60.0) -> None:
        while True:
            await asyncio.sleep(every)
            await self.reap()

    async def reap(self, now: float | None = None) -> None:
        """Close the user connections idle for IDLE_SECONDS, and drop those that ended. One
        still opening is neither: closed, its open failed as if the server never answered
        (CI: a user's first turn lost its tools when the reaper ran during the handshake)."""
        now = now if now is not None else time.monotonic()
        for key, connection in list(self.users.items()):
            if now - connection.last_used >= IDLE_SECONDS or connection.ended:
                if self.users.get(key) is connection:
                    del self.users[key]
                await connection.close()

    async def close_all(self) -> None:
        for task in self._supervisors.values():
            task.cancel()
        connections = [*self.app.values(), *self.users.values()]
        self.app.clear()
        self.users.clear()
        self.app_status.clear()
        self._supervisors.clear()
        await asyncio.gather(*(c.close() for c in connections), return_exceptions=True)


_manager: Manager | None = None
_lock = threading.Lock()


def manager() -> Manager:
    """This process's manager (its thread starts at first use)."""
    global _manager
    with _lock:
        if _manager is None:
            _manager = Manager()
        return _manager


def start() -> None:
    """Start-up of a web process: connect the app-level servers in the background."""
    config = mcpservers.current()
    if config.servers:
        manager().start(config)
