"""The shared clock: one timer per interval serves every waiting generation.

Most tests run the clock on a fake `time.monotonic` that the members move to
the tick they are handed, as if every tick ran on time: the scheduled times are
then exact, however loaded the machine is. The loop's own timers stay real, and
tests wait on events, never on elapsed time.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
import weakref

import pytest

from chatapp.engine import clock as clock_module
from chatapp.engine.clock import Clock, clock

INTERVAL = 1 / 128  # a binary fraction: sums of it are exact floats
START = 100.0
WAIT = 10  # seconds before a test gives up instead of hanging; never reached when it passes


class FakeTime:
    def __init__(self, now: float) -> None:
        self.now = now

    def monotonic(self) -> float:
        return self.now


class Member:
    """A generation with `ticks` frames to send, one per tick."""

    def __init__(self, ticks: int, fake: FakeTime | None = None) -> None:
        self.ticks, self.fake = ticks, fake
        self.nows: list[float] = []
        self.done = asyncio.Event()

    async def on_tick(self, now: float) -> bool:
        if self.fake is not None:
            self.fake.now = now  # the tick runs on time
        self.nows.append(now)
        waiting = len(self.nows) < self.ticks
        if not waiting:
            self.done.set()
        return waiting


class Broken(Member):
    async def on_tick(self, now: float) -> bool:
        await super().on_tick(now)
        raise RuntimeError("a broken stream")


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    fake = FakeTime(START)
    monkeypatch.setattr(clock_module, "time", fake)
    return fake


def cadence(start: float, count: int) -> list[float]:
    return [start + INTERVAL * k for k in range(1, count + 1)]


async def finished(*members: Member) -> None:
    for member in members:
        await asyncio.wait_for(member.done.wait(), WAIT)


async def test_a_member_is_served_at_a_fixed_cadence_until_it_returns_false(fake):
    clock = Clock(INTERVAL)
    member = Member(ticks=4, fake=fake)
    clock.wake(member)
    await finished(member)
    assert member.nows == cadence(START, 4)


async def test_the_clock_stops_when_nothing_waits_and_starts_anew_on_a_wake(fake):
    clock = Clock(INTERVAL)
    first = Member(ticks=2, fake=fake)
    clock.wake(first)
    await finished(first)
    assert clock._next is None  # no tick is scheduled
    fake.now = later = 500.0
    second = Member(ticks=2, fake=fake)
    clock.wake(second)
    await finished(second)
    assert second.nows == cadence(later, 2)  # a new cadence from the wake
    assert first.nows == cadence(START, 2)  # and the first member was not called again
    assert clock._next is None


async def test_several_members_share_one_tick(fake):
    clock = Clock(INTERVAL)
    ticks = []
    start_tick = clock._start_tick
    clock._start_tick = lambda at: (ticks.append(at), start_tick(at))
    short, long = Member(ticks=3, fake=fake), Member(ticks=5, fake=fake)
    clock.wake(short)
    clock.wake(long)
    clock.wake(short)  # woken again while waiting: still served once a tick
    await finished(short, long)
    assert short.nows == cadence(START, 3)
    assert long.nows == cadence(START, 5)
    assert ticks == cadence(START, 5)  # one timer for both


async def test_a_member_woken_between_ticks_joins_the_running_cadence(fake):
    clock = Clock(INTERVAL)
    late = Member(ticks=2, fake=fake)

    class Waker(Member):
        async def on_tick(self, now: float) -> bool:
            if not self.nows:
                clock.wake(late)  # new text for another stream arrives during a tick
            return await super().on_tick(now)

    early = Waker(ticks=4, fake=fake)
    clock.wake(early)
    await finished(early, late)
    assert late.nows == early.nows[1:3]


async def test_a_member_that_raises_is_dropped_and_the_others_are_served(fake, caplog):
    clock = Clock(INTERVAL)
    before, broken, after = Member(3, fake), Broken(3, fake), Member(3, fake)
    for member in (before, broken, after):
        clock.wake(member)
    with caplog.at_level(logging.ERROR, logger="chatapp.engine.clock"):
        await finished(before, after)
    assert broken.nows == [START + INTERVAL]  # called once, then dropped
    assert before.nows == after.nows == cadence(START, 3)
    assert "a stream failed on the clock" in caplog.text


async def test_a_forgotten_member_is_not_called(fake):
    clock = Clock(INTERVAL)
    gone, stays = Member(3, fake), Member(1, fake)
    clock.wake(gone)
    clock.forget(gone)  # its stream ended before the tick
    clock.wake(stays)
    await finished(stays)
    assert gone.nows == []
    assert stays.nows == cadence(START, 1)
    assert clock._next is None


async def test_a_tick_that_overran_is_followed_at_once_without_catch_up_ticks(fake):
    clock = Clock(INTERVAL)

    class Slow(Member):
        async def on_tick(self, now: float) -> bool:
            waiting = await super().on_tick(now)
            if len(self.nows) == 1:
                fake.now = now + 3 * INTERVAL  # serving this tick took three intervals
            return waiting

    member = Slow(ticks=3, fake=fake)
    clock.wake(member)
    await finished(member)
    first = START + INTERVAL
    assert member.nows == [first, first + 3 * INTERVAL, first + 4 * INTERVAL]


async def test_on_a_real_clock_members_get_monotonic_scheduled_times():
    clock = Clock(INTERVAL)
    member = Member(ticks=3)
    before = time.monotonic()
    clock.wake(member)
    await finished(member)
    assert before + INTERVAL <= member.nows[0] <= time.monotonic()
    gaps = [b - a for a, b in zip(member.nows, member.nows[1:], strict=False)]
    assert all(gap >= INTERVAL - 1e-9 for gap in gaps)  # later if the loop was late, never sooner
    assert clock._next is None


async def test_clock_is_one_per_running_loop_and_interval():
    assert clock(0.01) is clock(0.01)
    assert clock(0.01) is not clock(0.04)
    assert clock(0.04).interval == 0.04


def test_each_loop_has_its_own_clocks():
    async def get() -> Clock:
        return clock(0.01)

    assert asyncio.run(get()) is not asyncio.run(get())


def test_a_closed_loop_is_not_kept_alive_by_its_clocks():
    async def served() -> weakref.ref[asyncio.AbstractEventLoop]:
        member = Member(ticks=2)
        clock(INTERVAL).wake(member)
        await finished(member)
        return weakref.ref(asyncio.get_running_loop())

    loop = asyncio.run(served())
    gc.collect()
    assert loop() is None
