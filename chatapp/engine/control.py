"""Stop and catch-up requests reach the generation running a conversation, in any process.

A generation joins its conversation's `gen.<owner>.<id>` group (chatapp.engine.events)
when it starts and leaves it when it ends. Every generation of a web process joins with
the same channel, the process's own, opened once and read by one listener that hands each
request to the generation of the group it names. A turn so costs the channel layer a join
and a leave; a generation used to open a channel and run a listener of its own, and the
pub/sub layer kept every such channel subscribed after its turn (bench/README.md).
A request for a generation of this process is handed to it at once (`deliver`), not
through the layer: it cannot pass the join on its way to Redis, and it costs no round trip.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Any, Protocol

from channels.layers import get_channel_layer

log = logging.getLogger(__name__)


class Member(Protocol):
    async def on_control(self, message: dict[str, Any]) -> None: ...


class Controls:
    """This event loop's channel for generation requests, and who listens on which group."""

    def __init__(self) -> None:
        self._members: dict[str, Member] = {}
        self._channel: asyncio.Task[str] | None = None
        self._listener: asyncio.Task[None] | None = None

    async def join(self, group: str, member: Member) -> None:
        """Requests to `group` go to `member` from now on (the latest to join wins)."""
        self._members[group] = member
        await get_channel_layer().group_add(group, await self._open())

    async def leave(self, group: str, member: Member) -> None:
        """`member` hears no more from `group`; the group is left unless another joined it."""
        if self._members.get(group) is not member:
            return
        del self._members[group]
        await get_channel_layer().group_discard(group, await self._open())

    async def deliver(self, message: dict[str, Any]) -> bool:
        """Hand `message` to this process's member of its group; False when there is none."""
        member = self._members.get(message["group"])
        if member is None:
            return False
        await _hand(member, message)
        return True

    async def _open(self) -> str:
        """The process's channel, opened on first use (again if that failed), and its listener."""
        opening = self._channel
        if opening is None or (opening.done() and opening.exception() is not None):
            opening = self._channel = asyncio.ensure_future(get_channel_layer().new_channel())
        channel = await asyncio.shield(opening)
        if self._listener is None:
            self._listener = asyncio.ensure_future(self._listen(channel))
        return channel

    async def _listen(self, channel: str) -> None:
        layer = get_channel_layer()
        while True:
            try:
                message = await layer.receive(channel)
            except Exception:  # the layer's connection: it reconnects on the next receive
                log.exception("reading generation requests failed")
                await asyncio.sleep(1)
                continue
            member = self._members.get(message.get("group", ""))
            if member is not None:  # else its generation has ended
                await _hand(member, message)


async def _hand(member: Member, message: dict[str, Any]) -> None:
    """A failing member is logged: the caller and the other members go on."""
    try:
        await member.on_control(message)
    except Exception:
        log.exception("a generation request failed: %s", message.get("type"))


_controls: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Controls] = (
    weakref.WeakKeyDictionary()
)


def controls() -> Controls:
    """The running loop's controls."""
    return _controls.setdefault(asyncio.get_running_loop(), Controls())
