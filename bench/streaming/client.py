"""Parley's side of a run: signed-in WebSockets speaking docs/protocol.md, timing each frame."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Sequence

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

from bench.streaming import idle
from bench.streaming.procstat import Cost
from bench.streaming.record import Stream
from bench.streaming.services import ENDPOINT, MODEL

HANDSHAKES_AT_ONCE = 100  # more only queue in daphne's accept backlog
# Parley refuses messages from non-browser clients (LibreChat's NON_BROWSER rule).
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 parley-bench"
WARM_UP = "echo: warm up"  # a first turn, so first-use costs are not counted
SEND = {
    "type": "send",
    "conversation_id": None,
    "parent_id": None,
    "endpoint": ENDPOINT,
    "model": MODEL,
    "params": {},
}


async def converse_all(
    urls: Sequence[str],
    cookies: Sequence[str],
    streams: Sequence[Stream],
    give_up_after: float,
    servers: Sequence[int],
) -> Cost:
    """One turn per stream, all sent at the same moment; the cost to the `servers` processes.

    The sockets are spread over `urls` in turn. `cookies` holds one more per url
    than `streams`: those sockets make a warm-up turn first, one per process, and the
    burst waits until every process has finished with it (bench.streaming.idle).
    """
    warm = len(urls)
    sockets = await open_sockets(urls, cookies)
    try:
        ready = asyncio.Event()
        ready.set()
        for socket in sockets[:warm]:
            await converse(socket, Stream(WARM_UP), ready, give_up_after)
        await idle.settled([http_base(url) for url in urls])
        start = asyncio.Event()
        turns = [
            asyncio.create_task(converse(socket, stream, start, give_up_after))
            for socket, stream in zip(sockets[warm:], streams, strict=True)
        ]
        await asyncio.sleep(0)  # every turn is waiting on `start`
        before = Cost.now(servers)
        start.set()
        await asyncio.gather(*turns)
        return Cost.now(servers).since(before)
    finally:
        await close_all(sockets)


async def open_sockets(urls: Sequence[str], cookies: Sequence[str]) -> list[ClientConnection]:
    """One signed-in socket per cookie, to each of `urls` in turn, a hundred at a time."""
    gate = asyncio.Semaphore(HANDSHAKES_AT_ONCE)

    async def one(url: str, cookie: str) -> ClientConnection:
        async with gate:
            return await connect(
                url,
                origin=http_base(url),
                additional_headers={"Cookie": cookie},
                user_agent_header=USER_AGENT,
                compression=None,
                ping_interval=None,  # keep-alive pings would only add noise to the timings
                max_size=None,
                open_timeout=60,
            )

    return await asyncio.gather(
        *(one(urls[i % len(urls)], cookie) for i, cookie in enumerate(cookies))
    )


def http_base(url: str) -> str:
    """http://host:port of a socket's ws:// URL (its origin)."""
    return url.replace("ws://", "http://", 1).split("/ws/", 1)[0]


async def close_all(sockets: Sequence[ClientConnection]) -> None:
    await asyncio.gather(*(socket.close() for socket in sockets), return_exceptions=True)


async def converse(
    socket: ClientConnection, stream: Stream, start: asyncio.Event, give_up_after: float
) -> None:
    """Send one message when `start` is set and read its reply to the `final` frame."""
    await start.wait()
    stream.sent_at = time.time()
    try:
        await socket.send(json.dumps({**SEND, "text": stream.prompt}))
        async with asyncio.timeout(give_up_after):
            while await _take(await socket.recv(), stream):
                pass
    except TimeoutError:
        stream.error = f"no final frame within {give_up_after:.0f} s"
    except WebSocketException as closed:
        stream.error = f"socket closed: {closed}"


async def _take(raw: str | bytes, stream: Stream) -> bool:
    """Record one server frame; False once the reply is over."""
    at = time.time()
    frame = json.loads(raw)
    kind = frame.get("type")
    if kind == "delta" and frame.get("text"):
        stream.received(frame["text"], at, frame.get("offset"))
    elif kind == "final":
        stream.finished_at = at
        message = frame["message"]
        stream.final_text = message["text"]
        if message.get("state") != "complete":
            stream.error = f"final state {message.get('state')}: {message.get('error')}"
        return False
    elif kind == "error":
        stream.error = f"error frame {frame.get('code')}: {frame.get('message')}"
        return False
    return True


def still_open(sockets: Sequence[ClientConnection]) -> int:
    """How many sockets are open (the server closes a socket it refuses at once)."""
    return sum(socket.close_code is None for socket in sockets)
