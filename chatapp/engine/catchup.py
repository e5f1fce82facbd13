"""Joining a live response without overlap or gap (pure; used by the consumer).

A socket that subscribes joins the conversation's group first, then looks in
the database for a streaming response (`look`): every frame that arrives
meanwhile is held, since none may go out before the `state` frame. Once the
look is done (`found`), a response found streaming stays awaited: the socket
asks its generation for a snapshot and its deltas are held until it arrives;
then the `state` frame goes out and the held and later deltas are trimmed by
their offsets so that each character is sent exactly once.
"""

from __future__ import annotations

from chatapp.engine import frames

Frame = frames.Frame


class CatchUp:
    def __init__(self) -> None:
        self.waiting_for: str | None = None  # the response whose snapshot is awaited
        self._looking = False  # joined, the database not read yet: hold everything
        self._held: list[Frame] = []
        self._sent: dict[str, tuple[int, int]] = {}  # response id → (text, reasoning) sent

    def begin(self, message_id: str) -> None:
        self.waiting_for, self._held = message_id, []

    def look(self) -> None:
        """The socket joined the group and reads what is streaming: hold every frame."""
        self._looking = True

    def found(self, message_id: str | None) -> list[Frame]:
        """The look found `message_id` streaming (awaited from now on), or nothing.

        Returns the held frames that may go out now, after the `state` frame
        when nothing was found; the found response's frames stay held.
        """
        self._looking, self.waiting_for = False, message_id
        held, self._held = self._held, []
        return [out for frame in held for out in self.on_frame(frame)]

    def on_frame(self, frame: Frame) -> list[Frame]:
        """The frames to send for one frame of the conversation group."""
        if self._looking:
            self._held.append(frame)
            return []
        message_id = _message_id(frame)
        if self.waiting_for is not None and message_id == self.waiting_for:
            if frame["type"] == "final":
                return self._ended(frame)
            self._held.append(frame)
            return []
        if frame["type"] == "delta":
            trimmed = self._trim(frame)
            return [trimmed] if trimmed else []
        if frame["type"] == "final":
            self._sent.pop(message_id, None)
        return [frame]

    def on_state(self, state: Frame) -> list[Frame]:
        """The snapshot arrived: the state frame, then what was held, trimmed."""
        if state.get("message_id") != self.waiting_for:
            return []
        self.waiting_for = None
        self._sent[state["message_id"]] = (len(state["text"]), len(state["reasoning"]))
        held, self._held = self._held, []
        return [state, *[f for frame in held for f in self.on_frame(frame)]]

    def _ended(self, final: Frame) -> list[Frame]:
        message = final["message"]
        self.waiting_for, self._held = None, []
        self._sent.pop(message["id"], None)  # awaited again after a first catch-up (re-subscribe)
        text, reasoning = message["text"], message["reasoning"]
        state = frames.state(
            final["conversation_id"],
            message["id"],
            text,
            reasoning,
            streaming=False,
            steps=message.get("steps", []),
        )
        return [state, final]

    def _trim(self, delta: Frame) -> Frame | None:
        sent_text, sent_reasoning = self._sent.get(delta["message_id"], (0, 0))
        offset = delta.get("offset", sent_text)
        reasoning_offset = delta.get("reasoning_offset", sent_reasoning)
        text = _after(delta["text"], offset, sent_text)
        reasoning = _after(delta["reasoning"], reasoning_offset, sent_reasoning)
        self._sent[delta["message_id"]] = (
            max(sent_text, offset + len(delta["text"])),
            max(sent_reasoning, reasoning_offset + len(delta["reasoning"])),
        )
        if not text and not reasoning:
            return None
        if offset >= sent_text and reasoning_offset >= sent_reasoning:
            return delta  # nothing of it was sent: the usual case, passed as is
        return {
            **delta,
            "text": text,
            "reasoning": reasoning,
            "offset": max(offset, sent_text),
            "reasoning_offset": max(reasoning_offset, sent_reasoning),
        }


def _after(piece: str, offset: int, sent: int) -> str:
    """The part of `piece` (starting at `offset`) past the first `sent` characters."""
    return piece[max(0, sent - offset) :]


def _message_id(frame: Frame) -> str | None:
    if frame["type"] == "final":
        return frame["message"]["id"]
    return frame.get("message_id")
