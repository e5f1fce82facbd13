"""Open sockets end with their session, in every web process, within a second.

A socket is held to the session it opened with (accounts.sessions.Holder).
Every INTERVAL the watchdog of a web process checks the sessions of all its
sockets at once (`accounts.sessions.ended`: three queries, however many
sockets) against the shared database, so it sees a session end whichever
process or path ended it: sign-out, sign-out everywhere, idle or absolute
expiry, a password change, deactivation, deletion, a ban. Sockets whose
session ended are told (`session_ended`) and close.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Protocol

from accounts.models import Ban
from accounts.sessions import Holder, ended
from chatapp.conf import dbthreads

log = logging.getLogger(__name__)
INTERVAL = 0.5  # seconds between checks: a socket outlives its session by at most this and a check


class Watched(Protocol):
    holder: Holder

    async def session_ended(self, ban: Ban | None) -> None: ...


async def check(holder: Holder) -> tuple[bool, Ban | None]:
    """Whether `holder`'s session is over now, and the ban that ended it (one socket's frame)."""
    over = await dbthreads.run(ended, [holder])
    return holder in over, over.get(holder)


class Watchdog:
    """Checks its members' sessions every INTERVAL while it has any (one per event loop)."""

    def __init__(self) -> None:
        self._members: dict[Watched, None] = {}
        self._task: asyncio.Task | None = None

    def watch(self, member: Watched) -> None:
        self._members[member] = None
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    def forget(self, member: Watched) -> None:
        self._members.pop(member, None)

    async def _run(self) -> None:
        while self._members:
            await asyncio.sleep(INTERVAL)
            members = list(self._members)
            try:
                over = await dbthreads.run(ended, {m.holder for m in members})
            except Exception:  # the database may be briefly unreachable: the next check retries
                log.exception("checking the sessions of %d socket(s) failed", len(members))
                continue
            for member in members:
                if member.holder in over and member in self._members:
                    self.forget(member)
                    await _tell(member, over[member.holder])


async def _tell(member: Watched, ban: Ban | None) -> None:
    try:
        await member.session_ended(ban)
    except Exception:  # a socket closing already; its disconnect cleans up
        log.debug("a socket ended while its session ended", exc_info=True)


_dogs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Watchdog] = weakref.WeakKeyDictionary()


def watchdog() -> Watchdog:
    """The running loop's watchdog."""
    return _dogs.setdefault(asyncio.get_running_loop(), Watchdog())
