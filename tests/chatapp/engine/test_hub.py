"""The in-process hub, and the origin that keeps its frames from arriving twice."""

from __future__ import annotations

import json
from typing import Any

from chatapp.engine import events, hub
from chatapp.engine.hub import ORIGIN, Hub

GROUP = "conv.1"
FRAME = {"type": "delta", "conversation_id": "1", "message_id": "m", "text": "Hi"}


class Socket:
    """A receiver that records what it was handed."""

    def __init__(self) -> None:
        self.frames: list[dict[str, Any]] = []

    async def relay(self, frame: dict[str, Any]) -> None:
        self.frames.append(frame)


class ClosedSocket(Socket):
    async def relay(self, frame: dict[str, Any]) -> None:
        raise RuntimeError("the socket is closed")


def test_join_leave_and_watched():
    hub, socket = Hub(), Socket()
    assert not hub.watched(GROUP)
    hub.join(GROUP, socket)
    assert hub.watched(GROUP)
    hub.leave(GROUP, socket)
    assert not hub.watched(GROUP)


def test_leaving_the_last_member_removes_the_group():
    hub, first, second = Hub(), Socket(), Socket()
    hub.join(GROUP, first)
    hub.join(GROUP, second)
    hub.leave(GROUP, first)
    assert hub.watched(GROUP)
    hub.leave(GROUP, second)
    assert not hub.watched(GROUP)
    assert GROUP not in hub._groups


def test_leaving_a_group_not_joined_is_harmless():
    hub, member, stranger = Hub(), Socket(), Socket()
    hub.leave(GROUP, stranger)
    assert not hub.watched(GROUP)
    hub.join(GROUP, member)
    hub.leave(GROUP, stranger)
    assert hub.watched(GROUP)


def test_joining_twice_is_one_membership():
    hub, socket = Hub(), Socket()
    hub.join(GROUP, socket)
    hub.join(GROUP, socket)
    hub.leave(GROUP, socket)
    assert not hub.watched(GROUP)


async def test_deliver_hands_the_frame_to_every_receiver_of_the_group_only():
    hub, first, second, elsewhere = Hub(), Socket(), Socket(), Socket()
    hub.join(GROUP, first)
    hub.join(GROUP, second)
    hub.join("conv.2", elsewhere)
    await hub.deliver(GROUP, FRAME)
    assert first.frames == [FRAME]
    assert second.frames == [FRAME]
    assert elsewhere.frames == []


async def test_a_socket_in_several_groups_gets_each_groups_frames():
    hub, socket = Hub(), Socket()
    title = {"type": "title", "conversation_id": "1", "title": "Hi"}
    hub.join(GROUP, socket)
    hub.join("user.7", socket)
    await hub.deliver(GROUP, FRAME)
    await hub.deliver("user.7", title)
    assert socket.frames == [FRAME, title]


async def test_a_receiver_that_left_gets_nothing():
    hub, stays, leaves = Hub(), Socket(), Socket()
    hub.join(GROUP, stays)
    hub.join(GROUP, leaves)
    hub.leave(GROUP, leaves)
    await hub.deliver(GROUP, FRAME)
    assert stays.frames == [FRAME]
    assert leaves.frames == []


async def test_a_broken_receiver_does_not_stop_the_others():
    hub, before, after = Hub(), Socket(), Socket()
    hub.join(GROUP, before)
    hub.join(GROUP, ClosedSocket())
    hub.join(GROUP, after)
    await hub.deliver(GROUP, FRAME)  # does not raise
    assert before.frames == [FRAME]
    assert after.frames == [FRAME]


async def test_a_receiver_may_leave_while_frames_are_delivered():
    hub = Hub()

    class Leaver(Socket):
        async def relay(self, frame: dict[str, Any]) -> None:
            await super().relay(frame)
            hub.leave(GROUP, self)  # a disconnect during the send

    leaver, other = Leaver(), Socket()
    hub.join(GROUP, leaver)
    hub.join(GROUP, other)
    await hub.deliver(GROUP, FRAME)
    assert leaver.frames == [FRAME]
    assert other.frames == [FRAME]
    await hub.deliver(GROUP, FRAME)
    assert leaver.frames == [FRAME]


async def test_delivering_to_a_group_nobody_watches_creates_no_group():
    hub = Hub()
    await hub.deliver(GROUP, FRAME)
    assert not hub.watched(GROUP)


# --- events: the origin of channel-layer events ---------------------------


def test_frame_event_carries_the_frame_and_this_process_origin():
    event = events.frame_event(FRAME)
    assert event == {"type": events.FRAME, "frame": FRAME, "origin": ORIGIN}
    assert json.loads(json.dumps(event)) == event  # it crosses Redis as JSON


def test_an_event_of_this_process_is_not_from_elsewhere():
    assert not events.from_elsewhere(events.frame_event(FRAME))
    assert not events.from_elsewhere(json.loads(json.dumps(events.frame_event(FRAME))))


def test_an_event_of_another_process_is_from_elsewhere():
    event = {**events.frame_event(FRAME), "origin": "another process"}
    assert events.from_elsewhere(event)


def test_an_event_without_an_origin_is_from_elsewhere():
    assert events.from_elsewhere({"type": events.FRAME, "frame": FRAME})


async def test_publish_reaches_this_process_sockets_through_the_hub():
    socket, group = Socket(), events.conversation_group(7, "hub-only")
    hub.hub.join(group, socket)
    try:
        await events.publish(group, FRAME, remote=False)  # no channel layer involved
    finally:
        hub.hub.leave(group, socket)
    assert socket.frames == [FRAME]
