"""streamRate coalescing: when to send a `delta` frame and how much text it carries.

Pure: the generation feeds provider chunks with `push` and asks `take` what to
send at a given time. Rules (docs/protocol.md, LibreChat's smoother §b.1):
- at most one frame per `rate` ms; `rate` 0 passes every chunk through as is;
- the first frame, or any frame after a quiet spell of at least `rate` ms, goes at once;
- a burst is revealed progressively: each tick sends an equal share of the
  backlog, sized so that no character waits more than about 250 ms, cut at a
  word boundary when one is near;
- `drain` hands over everything left, for the end of the stream.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import Literal

Kind = Literal["text", "reasoning"]
TARGET_LATENCY = 0.25  # seconds a character may wait in the backlog
MIN_PIECE = 4  # characters
LOOKAHEAD = 64  # characters searched past the target for a word boundary
BOUNDARIES = frozenset(" \n\t.,!?;:")


@dataclass
class Piece:
    text: str = ""
    reasoning: str = ""

    def __bool__(self) -> bool:
        return bool(self.text or self.reasoning)


@dataclass
class _Chunk:
    kind: Kind
    text: str
    arrived: float


class Pacer:
    def __init__(self, rate_ms: float) -> None:
        self.interval = max(0.0, rate_ms) / 1000
        self._chunks: deque[_Chunk] = deque()
        self._last_sent: float | None = None
        self.pending = 0  # characters held

    def push(self, kind: Kind, text: str, now: float) -> None:
        if text:
            self._chunks.append(_Chunk(kind, text, now))
            self.pending += len(text)

    def wait(self, now: float) -> float | None:
        """Seconds until a frame may be sent (0: now); None when nothing is pending."""
        if not self._chunks:
            return None
        if self._last_sent is None:
            return 0.0
        return max(0.0, self._last_sent + self.interval - now)

    def take(self, now: float) -> Piece | None:
        """The frame to send at `now`, or None if none is due."""
        if self.wait(now) != 0.0:
            return None
        return self._cut(self._piece_size(now), now)

    def drain(self, now: float) -> Piece:
        """Everything pending, as one frame."""
        return self._cut(self.pending, now)

    def _piece_size(self, now: float) -> int:
        pending = self.pending
        if self.interval == 0:
            return pending
        deadline = self._chunks[0].arrived + TARGET_LATENCY
        ticks_left = math.floor(max(0.0, deadline - now) / self.interval) + 1
        target = max(MIN_PIECE, math.ceil(pending / ticks_left))
        return _boundary_after(self._flat(target + LOOKAHEAD), target, pending)

    def _flat(self, limit: int) -> str:
        parts, size = [], 0
        for chunk in self._chunks:
            if size >= limit:
                break
            parts.append(chunk.text)
            size += len(chunk.text)
        return "".join(parts)[:limit]

    def _cut(self, size: int, now: float) -> Piece:
        piece = Piece()
        while size > 0 and self._chunks:
            chunk = self._chunks[0]
            part = chunk.text[:size]
            if len(part) == len(chunk.text):
                self._chunks.popleft()
            else:
                chunk.text = chunk.text[size:]
            size -= len(part)
            self.pending -= len(part)
            if chunk.kind == "text":
                piece.text += part
            else:
                piece.reasoning += part
        if piece:
            self._last_sent = now
        return piece


def _boundary_after(head: str, target: int, pending: int) -> int:
    """Where to cut: after the first boundary at or past `target`, within the lookahead."""
    if pending <= target:
        return pending
    for index in range(target - 1, len(head)):
        if head[index] in BOUNDARIES:
            return index + 1
    # No boundary near: take the rest if it is short, else cut mid-word.
    return pending if pending <= target + LOOKAHEAD else target
