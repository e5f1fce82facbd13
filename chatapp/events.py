"""Channel-layer groups and the events published on them.

Groups: `conv.<id>` carries a conversation's frames to every socket watching
it (any web process, when Redis is the layer); `user.<id>` carries a user's
sidebar frames (titles); `gen.<id>` reaches the generation running for a
conversation (stop, catch-up snapshot requests), wherever it runs.
Events are JSON-safe dicts; a frame is delivered as `{"type": "chat.frame", "frame": ...}`.
Code inside a transaction publishes with `publish_on_commit`, so a frame never
announces a row that a rollback removed.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

FRAME = "chat.frame"  # a protocol frame for the socket
SNAPSHOT = "chat.snapshot"  # a generation's answer to a catch-up request
STOP = "generation.stop"
SNAPSHOT_REQUEST = "generation.snapshot"


def conversation_group(conversation_id: Any) -> str:
    return f"conv.{conversation_id}"


def user_group(user_id: Any) -> str:
    return f"user.{user_id}"


def generation_group(conversation_id: Any) -> str:
    return f"gen.{conversation_id}"


def frame_event(frame: dict[str, Any]) -> dict[str, Any]:
    return {"type": FRAME, "frame": frame}


async def publish(group: str, frame: dict[str, Any]) -> None:
    await get_channel_layer().group_send(group, frame_event(frame))


def publish_on_commit(group: str, frame: dict[str, Any]) -> None:
    """Publish from synchronous code once the current transaction commits."""
    transaction.on_commit(lambda: async_to_sync(publish)(group, frame))


async def request_stop(conversation_id: Any) -> None:
    await get_channel_layer().group_send(generation_group(conversation_id), {"type": STOP})


async def request_snapshot(conversation_id: Any, reply_to: str) -> None:
    """Ask the running generation to send its text so far to channel `reply_to`."""
    event = {"type": SNAPSHOT_REQUEST, "reply_to": reply_to}
    await get_channel_layer().group_send(generation_group(conversation_id), event)


def publish_title(user_id: Any, conversation_id: Any, title: str) -> None:
    """For the title task: tell the user's sockets the new title (after commit)."""
    from chatapp.protocol import Title

    frame = Title(conversation_id=conversation_id, title=title).dump()
    publish_on_commit(user_group(user_id), frame)
