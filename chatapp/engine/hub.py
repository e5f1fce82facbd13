"""Frames to the sockets of this process, without a round trip through the channel layer.

A stream is a frame per `streamRate` tick per watching socket; publishing each
one through Redis and reading it back costs more CPU than the rest of the relay
(bench/README.md). So every socket joins its groups twice: in the channel layer,
for frames from other processes (a generation elsewhere, the Celery worker's
titles), and here, for frames from this process. Events this process publishes
to the layer carry `ORIGIN`, and a socket ignores its own process's events
there: it already had them from the hub.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from typing import Any, Protocol

log = logging.getLogger(__name__)
ORIGIN = uuid.uuid4().hex  # this process, in the events it publishes to the channel layer


class Receiver(Protocol):
    async def relay(self, frame: dict[str, Any]) -> None: ...


class Hub:
    def __init__(self) -> None:
        self._groups: defaultdict[str, dict[Receiver, None]] = defaultdict(dict)

    def join(self, group: str, receiver: Receiver) -> None:
        self._groups[group][receiver] = None

    def leave(self, group: str, receiver: Receiver) -> None:
        members = self._groups.get(group)
        if members is not None:
            members.pop(receiver, None)
            if not members:
                del self._groups[group]

    def watched(self, group: str) -> bool:
        return group in self._groups

    async def deliver(self, group: str, frame: dict[str, Any]) -> None:
        """Hand `frame` to every receiver of `group` here; a broken socket never stops a stream."""
        for receiver in list(self._groups.get(group, ())):
            try:
                await receiver.relay(frame)
            except Exception:  # a socket closing mid-send; its disconnect will leave the group
                log.debug("dropped a frame for a closing socket", exc_info=True)


hub = Hub()
