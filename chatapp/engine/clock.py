"""One timer per streamRate for all of a process's generations.

A generation whose pacer holds text that is not due yet waits for the next
tick of the clock of its `streamRate`, instead of a timer (and a task switch)
of its own per frame: at 500 streams the loop wakes 40 times a second at
streamRate 25, not 25,000 times. Ticks keep a fixed cadence and every member
is handed the tick's scheduled time, so a member's frames stay one interval
apart however long the tick takes to serve everyone.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from typing import Protocol

log = logging.getLogger(__name__)


class Member(Protocol):
    async def on_tick(self, now: float) -> bool:
        """Send what is due at `now`; return whether anything is still waiting."""


class Clock:
    # A clock serves the loop it is called from and keeps no reference to it: one
    # would keep the loop alive as long as `_clocks` holds the clock, that is for ever.
    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._members: dict[Member, None] = {}
        self._next: float | None = None  # the scheduled time of the next tick

    def wake(self, member: Member) -> None:
        """Serve `member` at the coming ticks until it has nothing left."""
        self._members[member] = None
        if self._next is None:
            self._schedule(time.monotonic() + self.interval)

    def forget(self, member: Member) -> None:
        self._members.pop(member, None)

    def _schedule(self, at: float) -> None:
        self._next = at
        loop = asyncio.get_running_loop()
        loop.call_later(max(0.0, at - time.monotonic()), self._start_tick, at)

    def _start_tick(self, at: float) -> None:
        # The loop keeps only weak references to tasks: hold the tick until it is done.
        task = asyncio.get_running_loop().create_task(self._tick(at))
        _ticking.add(task)
        task.add_done_callback(_ticking.discard)

    async def _tick(self, at: float) -> None:
        for member in list(self._members):
            try:
                waiting = await member.on_tick(at)
            except Exception:  # one broken stream must not stall the others
                log.exception("a stream failed on the clock")
                waiting = False
            if not waiting:
                self._members.pop(member, None)
        if self._members:
            self._schedule(max(at + self.interval, time.monotonic()))
        else:
            self._next = None


_ticking: set[asyncio.Task] = set()
_clocks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[float, Clock]] = (
    weakref.WeakKeyDictionary()
)


def clock(interval: float) -> Clock:
    """The running loop's clock for `interval` seconds."""
    loop = asyncio.get_running_loop()
    clocks = _clocks.setdefault(loop, {})
    if interval not in clocks:
        clocks[interval] = Clock(interval)
    return clocks[interval]
