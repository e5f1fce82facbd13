"""Generation requests: one channel a process, each request to the generation of its group."""

import asyncio
from typing import Any

import pytest
from channels.layers import InMemoryChannelLayer, get_channel_layer

from chatapp.engine import events, generation, turns
from chatapp.engine.control import controls
from chatapp.engine.records import Ask
from tests.chatapp.conftest import ENDPOINT, MODEL, settle
from tests.chatapp.engine.test_turns import start


class CountingLayer(InMemoryChannelLayer):
    """The in-memory layer, counting the channels it opens."""

    opened = 0

    async def new_channel(self, prefix: str = "specific.") -> str:
        CountingLayer.opened += 1
        return await super().new_channel(prefix)


@pytest.fixture(autouse=True)
def counting_layer(settings):
    """The embedded default's layer (its capacity), counting."""
    CountingLayer.opened = 0
    layer = {**settings.EMBEDDED_CHANNEL_LAYER, "BACKEND": f"{__name__}.CountingLayer"}
    settings.CHANNEL_LAYERS = {"default": layer}


class Member:
    def __init__(self) -> None:
        self.heard: list[dict[str, Any]] = []
        self.arrived = asyncio.Event()

    async def on_control(self, message: dict[str, Any]) -> None:
        self.heard.append(message)
        self.arrived.set()


async def heard(member: Member) -> list[str]:
    await asyncio.wait_for(member.arrived.wait(), 5)
    member.arrived.clear()
    return [message["type"] for message in member.heard]


async def settled() -> None:
    """Long enough for the listener to have handed on anything sent."""
    await asyncio.sleep(0.05)


async def test_a_stop_reaches_the_generation_of_its_conversation_only():
    mine, other = Member(), Member()
    await controls().join(events.generation_group(1, "a"), mine)
    await controls().join(events.generation_group(1, "b"), other)
    await events.request_stop(1, "a")
    assert await heard(mine) == [events.STOP]
    await settled()
    assert other.heard == []


async def test_every_generation_of_a_process_shares_its_one_channel():
    members = [Member() for _ in range(5)]
    for number, member in enumerate(members):
        await controls().join(events.generation_group(1, number), member)
    for number, member in enumerate(members):
        await controls().leave(events.generation_group(1, number), member)
    assert CountingLayer.opened == 1


async def test_a_generation_that_left_hears_nothing_more():
    member = Member()
    group = events.generation_group(1, "a")
    await controls().join(group, member)
    await controls().leave(group, member)
    await events.request_snapshot(1, "a", await get_channel_layer().new_channel())
    await settled()
    assert member.heard == []


async def test_the_next_generation_of_a_conversation_keeps_the_group_its_last_one_leaves():
    # The answer has ended and the user sent again before the last generation left.
    last, next_ = Member(), Member()
    group = events.generation_group(1, "a")
    await controls().join(group, last)
    await controls().join(group, next_)
    await controls().leave(group, last)
    await events.request_stop(1, "a")
    assert await heard(next_) == [events.STOP]
    assert last.heard == []


async def test_a_failing_generation_does_not_stop_the_others_hearing():
    class Failing(Member):
        async def on_control(self, message: dict[str, Any]) -> None:
            raise RuntimeError("a bug")

    failing, member = Failing(), Member()
    await controls().join(events.generation_group(1, "a"), failing)
    await controls().join(events.generation_group(1, "b"), member)
    await events.request_stop(1, "a")
    await events.request_stop(1, "b")
    assert await heard(member) == [events.STOP]


async def test_a_burst_of_requests_reaches_every_generation():
    # Sockets catching up on many streams at once (a reconnect after a network blip).
    members = [Member() for _ in range(300)]
    for number, member in enumerate(members):
        await controls().join(events.generation_group(1, number), member)
    await asyncio.gather(*(events.request_stop(1, number) for number in range(300)))
    for member in members:
        assert await heard(member) == [events.STOP]


class SlowJoinLayer(InMemoryChannelLayer):
    """Joining a group takes a while (a busy Redis); requests through it come after."""

    async def group_add(self, group: str, channel: str) -> None:
        await asyncio.sleep(0.5)
        await super().group_add(group, channel)


async def test_a_request_reaches_this_process_s_generation_before_its_join_is_done(settings):
    # A stop clicked at once: before the change it went through the layer and was lost.
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": f"{__name__}.SlowJoinLayer"}}
    member = Member()
    joining = asyncio.ensure_future(controls().join(events.generation_group(1, "a"), member))
    await asyncio.sleep(0.05)  # the join is under way, the group not yet joined
    await events.request_stop(1, "a")
    assert [message["type"] for message in member.heard] == [events.STOP]
    await joining
    await settled()
    assert len(member.heard) == 1  # heard once: the layer carried nothing more


class FailingLeaveLayer(InMemoryChannelLayer):
    """Leaving a generation's group fails once (Redis gone for a moment)."""

    failed = False

    async def group_discard(self, group: str, channel: str) -> None:
        if group.startswith("gen.") and not FailingLeaveLayer.failed:
            FailingLeaveLayer.failed = True
            raise ConnectionError("the channel layer is gone")
        await super().group_discard(group, channel)


@pytest.mark.django_db(transaction=True)
async def test_a_turn_that_cannot_leave_its_group_ends_and_the_next_one_still_stops(
    user, chat_endpoint, mock_provider, settings, caplog
):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": f"{__name__}.FailingLeaveLayer"}}
    first, collector = await start(user, Ask(text="echo: one", endpoint=ENDPOINT, model=MODEL))
    await collector.until("final")
    await generation.wait_all()
    assert FailingLeaveLayer.failed and "did not leave" in caplog.text
    mock_provider.behaviour.tokens_per_second = 40
    conversation_id = first.turn.conversation.id
    then = Ask(
        text=f"echo: {'two ' * 100}",
        endpoint=ENDPOINT,
        model=MODEL,
        conversation_id=conversation_id,
        parent_id=first.turn.response.id,
    )
    _, collector = await start(user, then)
    await collector.until("delta")
    await turns.stop(user, conversation_id)
    final = (await collector.until("final"))[-1]["message"]
    await settle()
    assert final["state"] == "aborted"
