"""Parley under a sub-path: DOMAIN_CLIENT http://127.0.0.1:PORT/chat, behind a proxy that
strips /chat, as LibreChat is deployed at https://example.com/chat.

The proxy is written here: a small asyncio HTTP and WebSocket forwarder, like nginx's
`location /chat/ { proxy_pass http://parley/; }` with the Host kept and X-Forwarded-For and
-Proto added. It reaches Parley from 127.0.0.2, so the client Parley resolves (127.0.0.1, the
browser, named by the trusted proxy) differs from the connection's peer, and an
X-Forwarded-For the browser forges stays unbelieved (TRUST_PROXY=1).
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import PASSWORD, _free_port, run_parley, shot, watched_page

pytestmark = pytest.mark.e2e

PREFIX = "/chat"
PROXY_PEER = "127.0.0.2"  # the proxy's own address, as Parley's peer
FORGED = "198.51.100.23"  # what the browser claims to be
ANSWER = "[data-testid=message][data-role=assistant][data-state=complete]"


class StrippingProxy:
    """Forwards http://127.0.0.1:port/chat/... to the upstream's /..., one request per
    connection (so every request line passes here) and WebSocket upgrades as a byte pipe."""

    def __init__(self, port: int, upstream_port: int) -> None:
        self.port, self.upstream_port = port, upstream_port
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> StrippingProxy:
        self.thread.start()
        assert self.ready.wait(10), "the proxy did not start"
        return self

    def __exit__(self, *exc) -> None:
        asyncio.run_coroutine_threadsafe(self._shutdown(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.server = self.loop.run_until_complete(
            asyncio.start_server(self.handle, "127.0.0.1", self.port)
        )
        self.ready.set()
        self.loop.run_forever()
        self.loop.close()

    async def _shutdown(self) -> None:
        """Stop listening and end the connections still open (a socket, a kept-alive one)."""
        self.server.close()
        others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            writer.close()
            return
        line, *fields = head[:-4].decode("latin-1").split("\r\n")
        method, target, version = line.split(" ", 2)
        if target != PREFIX and not target.startswith((f"{PREFIX}/", f"{PREFIX}?")):
            writer.write(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n")
            await writer.drain()
            writer.close()
            return
        inner = target.removeprefix(PREFIX)
        inner = inner if inner.startswith("/") else f"/{inner}"
        headers = self.forwarded(fields, writer.get_extra_info("peername")[0])
        upstream_reader, upstream_writer = await asyncio.open_connection(
            "127.0.0.1", self.upstream_port, local_addr=(PROXY_PEER, 0)
        )
        upstream_writer.write(f"{method} {inner} {version}\r\n{headers}\r\n".encode("latin-1"))
        await asyncio.gather(self.pipe(reader, upstream_writer), self.pipe(upstream_reader, writer))

    @staticmethod
    def forwarded(fields: list[str], peer: str) -> str:
        """The request's headers for the upstream: Host kept, X-Forwarded-For appended to
        (nginx's $proxy_add_x_forwarded_for), one request per connection unless upgrading."""
        kept, forwarded_for, upgrade = [], "", False
        for field in fields:
            name, value = field.split(":", 1)
            lower = name.strip().lower()
            if lower == "x-forwarded-for":
                forwarded_for = value.strip()
            elif lower == "upgrade":
                upgrade = True
                kept.append(field)
            elif lower not in ("connection", "keep-alive", "x-forwarded-proto"):
                kept.append(field)
        kept.append(f"X-Forwarded-For: {f'{forwarded_for}, ' if forwarded_for else ''}{peer}")
        kept.append("X-Forwarded-Proto: http")
        kept.append("Connection: Upgrade" if upgrade else "Connection: close")
        return "".join(f"{field}\r\n" for field in kept)

    @staticmethod
    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()


@pytest.fixture(scope="module")
def proxied(_mock_provider_server, tmp_path_factory) -> Iterator[tuple[str, object]]:
    """Parley with DOMAIN_CLIENT under /chat, and the proxy's /chat/ URL in front of it."""
    port = _free_port()
    domain = f"http://127.0.0.1:{port}{PREFIX}"
    data = tmp_path_factory.mktemp("e2e-subpath")
    with (
        run_parley(_mock_provider_server, data, users=1, DOMAIN_CLIENT=domain) as server,
        StrippingProxy(port, int(server.url.rsplit(":", 1)[1])),
    ):
        yield f"{domain}/", server


def test_everything_works_under_the_sub_path(browser, proxied):
    base, server = proxied
    headers = {"X-Forwarded-For": FORGED}
    with watched_page(browser, base, extra_http_headers=headers) as page:
        page.goto(f"{base}accounts/login/")
        page.fill("input[name=login]", server.next_email())
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")  # CSRF: the Origin is DOMAIN_CLIENT's
        page.wait_for_selector("[data-testid=composer]")
        assert page.url == base  # the redirect after sign-in stays under /chat/
        # The socket opens at /chat/ws/chat/ and passes the Origin check; the answer streams.
        page.fill("[data-testid=composer]", "echo: under a path")
        page.keyboard.press("Enter")
        page.wait_for_selector(ANSWER)
        body = page.locator(f"{ANSWER} [data-testid=message-body]").last
        assert body.inner_text().strip() == "under a path"
        assert re.fullmatch(rf"{re.escape(base)}c/[0-9a-f-]{{36}}", page.url)
        shot(page, "subpath-chat")
        # htmx navigation: a new chat, then the conversation again from the sidebar.
        page.click("[data-testid=new-chat]")
        page.wait_for_url(base)
        page.locator("[data-testid=conversation-item] a.title").first.click()
        page.wait_for_selector(ANSWER)
        assert page.url.startswith(f"{base}c/")
        # The shared link is the public URL, under the path.
        item = page.locator("[data-testid=conversation-item]").first
        item.hover()
        item.locator("[data-testid=conversation-menu]").click()
        item.locator("[data-testid=share]").click()
        shared = page.locator("[data-testid=share-url]").input_value()
        assert shared.startswith(f"{base}share/")
        page.goto(shared)
        page.get_by_text("under a path").first.wait_for()
        cookies = {cookie["name"]: cookie["path"] for cookie in page.context.cookies()}
        assert cookies["sessionid"] == cookies["csrftoken"] == PREFIX
    log = Path(server.env["PARLEY_DATA_DIR"], "server.log").read_text()
    accesses = [line for line in log.splitlines() if "chatapp.access" in line]
    sockets = [line for line in accesses if '"WSCONNECT /ws/chat/"' in line]
    assert sockets and all("127.0.0.1 " in line for line in sockets)
    assert not [line for line in accesses if FORGED in line or f"{PROXY_PEER} " in line]
