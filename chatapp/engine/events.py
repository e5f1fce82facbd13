"""Channel-layer groups and the events published on them.

Groups: `conv.<owner>.<id>` carries a conversation's frames to every socket
watching it (any web process, when Redis is the layer); `user.<id>` carries a
user's sidebar frames (titles); `gen.<owner>.<id>` reaches the generation
running for a conversation (stop, catch-up snapshot requests), wherever it
runs (chatapp.engine.control: each request names its group). The owner is
part of a conversation's group names and a socket names its groups with its
own user's id, so a socket can never be in (or ask anything of) another
user's conversation, whatever id it is given.
Events are JSON-safe dicts; a frame is delivered as `{"type": "chat.frame", "frame": ...}`.
Code inside a transaction publishes with `publish_on_commit`, so a frame never
announces a row that a rollback removed.

Sockets of this process get a frame from `fanout.hub` at once; the channel
layer carries it to the other processes, tagged with this process's origin.
A generation's deltas go to the layer only once another process watches
(`remote=False` until then: see generation.py).
"""

from __future__ import annotations

import asyncio
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from chatapp.engine import frames
from chatapp.engine.control import controls
from chatapp.engine.hub import ORIGIN, hub

FRAME = "chat.frame"  # a protocol frame for the socket
SNAPSHOT = "chat.snapshot"  # a generation's answer to a catch-up request
STOP = "generation.stop"
SNAPSHOT_REQUEST = "generation.snapshot"
PUBLISH_TIMEOUT = 10  # seconds a thread waits for the loop to publish its frame
_home_loop: asyncio.AbstractEventLoop | None = None


def conversation_group(owner_id: Any, conversation_id: Any) -> str:
    return f"conv.{owner_id}.{conversation_id}"


def user_group(user_id: Any) -> str:
    return f"user.{user_id}"


def generation_group(owner_id: Any, conversation_id: Any) -> str:
    return f"gen.{owner_id}.{conversation_id}"


def frame_event(frame: dict[str, Any]) -> dict[str, Any]:
    return {"type": FRAME, "frame": frame, "origin": ORIGIN}


def from_elsewhere(event: dict[str, Any]) -> bool:
    """Whether a channel-layer event came from another process (this one's came by the hub)."""
    return event.get("origin") != ORIGIN


async def publish(group: str, frame: dict[str, Any], *, remote: bool = True) -> None:
    """To this process's sockets in `group`, then (when `remote`) to the other processes'."""
    await hub.deliver(group, frame)
    if remote:
        await publish_remote(group, frame)


async def publish_remote(group: str, frame: dict[str, Any]) -> None:
    """To the other processes' sockets in `group` (the channel layer)."""
    await get_channel_layer().group_send(group, frame_event(frame))


def publish_on_commit(group: str, frame: dict[str, Any]) -> None:
    """Publish from synchronous code once the current transaction commits."""
    transaction.on_commit(lambda: publish_from_thread(group, frame))


def remember_loop() -> None:
    """Called from the web process's event loop (socket connect): where to publish from threads."""
    global _home_loop
    _home_loop = asyncio.get_running_loop()


def publish_from_thread(group: str, frame: dict[str, Any]) -> None:
    """Publish from a thread without an event loop (a task, `sync_to_async` code).

    In a web process the frame is published on its own event loop: the
    in-memory layer of the embedded mode is not thread-safe, so a title made on
    an embedded task thread must reach the sockets through that loop. A worker
    process (no loop remembered) publishes on a loop of its own.
    """
    loop = _home_loop
    if loop is not None and loop.is_running():
        asyncio.run_coroutine_threadsafe(publish(group, frame), loop).result(PUBLISH_TIMEOUT)
    else:
        async_to_sync(publish)(group, frame)


async def request_stop(owner_id: Any, conversation_id: Any) -> None:
    group = generation_group(owner_id, conversation_id)
    await _request(group, {"type": STOP, "group": group})


async def request_snapshot(owner_id: Any, conversation_id: Any, reply_to: str) -> None:
    """Ask the running generation to send its text so far to channel `reply_to`."""
    group = generation_group(owner_id, conversation_id)
    event = {"type": SNAPSHOT_REQUEST, "group": group, "reply_to": reply_to, "origin": ORIGIN}
    await _request(group, event)


async def _request(group: str, event: dict[str, Any]) -> None:
    """To this process's generation of `group` at once, else through the channel layer."""
    if not await controls().deliver(event):
        await get_channel_layer().group_send(group, event)


def publish_title(user_id: Any, conversation_id: Any, title: str) -> None:
    """For the title task: tell the user's sockets the new title (after commit)."""
    frame = frames.title(conversation_id, title)
    publish_on_commit(user_group(user_id), frame)
