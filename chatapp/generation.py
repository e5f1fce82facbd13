"""One generation: adapter stream → pacer → `conv.<id>` group, with saves.

A generation is an asyncio task of the web process that accepted the turn; it
does not belong to any socket, so closing a tab does not stop it. It listens
on the `gen.<conversation>` group for `stop` and for catch-up requests, from
sockets in any process. Text is saved at most (and, as a heartbeat, at least)
once a second with `update_fields`, and in full at the end with usage, cost
and state. Every character received reaches the deltas: the concatenation of
a response's `delta.text` equals `final.message.text`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from asyncio import FIRST_COMPLETED
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from uuid import UUID

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from accounts.guards import Admission
from chatapp import events, gate
from chatapp.models import Message
from chatapp.pacing import Pacer, Piece
from chatapp.protocol import Created, Delta, Error, State, UserMessage, final_frame
from chatapp.turns import Turn
from endpoints import tokens
from endpoints.adapters.base import (
    ChatAdapter,
    ChatRequest,
    Finish,
    ProviderError,
    ReasoningDelta,
    TextDelta,
    Usage,
)
from endpoints.config import TokenRate

log = logging.getLogger(__name__)
SAVE_INTERVAL = 1.0  # seconds between partial saves (also the liveness heartbeat)
END = "generation.end"  # tells the generation's own listener to finish

_running: dict[UUID, Generation] = {}  # conversation id → generation, in this process
_tasks: set[asyncio.Task] = set()


@dataclass(frozen=True)
class Plan:
    """Everything a generation needs besides the turn, resolved before it starts."""

    adapter: ChatAdapter
    request: ChatRequest
    stream_rate: float  # milliseconds
    rate: TokenRate | None = None  # prices the usage (tokenConfig or the known rates)


@dataclass
class _Progress:
    text: list[str] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)
    sent_text: int = 0  # characters already published in deltas
    sent_reasoning: int = 0
    usage: Usage = field(default_factory=Usage)


def start(turn: Turn, prepare: Callable[[], Plan], admission: Admission) -> asyncio.Task:
    """Run the turn's generation in the background of this process.

    `prepare` (synchronous: it reads the database) builds the plan once the
    `created` frame is out; a failure there ends the turn like a provider error.
    `admission` (from chatapp.gate) is released when the generation ends.
    """
    generation = Generation(turn, prepare, admission)
    task = asyncio.get_running_loop().create_task(generation.run())
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)
    return task


async def wait_all() -> None:
    """Let the running generations finish (tests and graceful shutdown)."""
    while _tasks:
        await asyncio.gather(*list(_tasks), return_exceptions=True)


class Generation:
    def __init__(self, turn: Turn, prepare: Callable[[], Plan], admission: Admission) -> None:
        self.turn, self.prepare, self.admission = turn, prepare, admission
        self.provider_called = False
        self.plan: Plan | None = None
        self.response: Message = turn.response
        self.group = events.conversation_group(turn.conversation.id)
        self.pacer = Pacer(0)
        self.progress = _Progress()
        self._stop = asyncio.Event()
        self._last_save = time.monotonic()

    async def run(self) -> None:
        conversation_id = self.turn.conversation.id
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add(events.generation_group(conversation_id), channel)
        _running[conversation_id] = self
        control = asyncio.ensure_future(self._listen(channel))
        try:
            await self._pump()
        finally:
            # End the listener with a message rather than by cancelling it: a
            # cancelled Redis read can leave the layer's shared receive broken.
            await layer.send(channel, {"type": END})
            await asyncio.gather(control, return_exceptions=True)
            await database_sync_to_async(self.admission.release)()
            _running.pop(conversation_id, None)
            await layer.group_discard(events.generation_group(conversation_id), channel)

    async def _pump(self) -> None:
        await events.publish(self.group, self._created())
        await database_sync_to_async(gate.opened)(self.turn)  # titleTiming: immediate
        state, error = Message.State.COMPLETE, None
        try:
            await self._stream()
        except ProviderError as failure:
            state, error = Message.State.ERROR, failure
        except Exception as failure:  # a bug must still end the stream cleanly
            log.exception("generation %s failed", self.response.id)
            state, error = Message.State.ERROR, ProviderError.unavailable(str(failure) or "Error")
        if self._stop.is_set() and error is None:
            state = Message.State.ABORTED
        await self._finish(state, error)

    async def _stream(self) -> None:
        self.plan = plan = await database_sync_to_async(self.prepare)()
        self.pacer = Pacer(plan.stream_rate)
        if self._stop.is_set():  # stopped before the provider was called
            return
        self.provider_called = True
        events_in = _aiter(plan.adapter.stream(plan.request))
        pending = asyncio.ensure_future(anext(events_in))
        stopping = asyncio.ensure_future(self._stop.wait())
        try:
            while not self._stop.is_set():
                now = time.monotonic()
                timeout = _min(self.pacer.wait(now), self._last_save + SAVE_INTERVAL - now)
                await asyncio.wait(
                    {pending, stopping}, timeout=max(0.0, timeout), return_when=FIRST_COMPLETED
                )
                if pending.done() and not self._stop.is_set():
                    try:
                        self._take_event(pending.result())
                    except StopAsyncIteration:
                        break
                    pending = asyncio.ensure_future(anext(events_in))
                await self._tick()
        finally:
            stopping.cancel()
            pending.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await pending
            with contextlib.suppress(Exception):
                await events_in.aclose()
        # The end of the stream waits at most one tick.
        wait = self.pacer.wait(time.monotonic())
        if wait and not self._stop.is_set():
            await asyncio.sleep(wait)

    def _take_event(self, event: Any) -> None:
        now = time.monotonic()
        if isinstance(event, TextDelta):
            self.progress.text.append(event.text)
            self.pacer.push("text", event.text, now)
        elif isinstance(event, ReasoningDelta):
            self.progress.reasoning.append(event.text)
            self.pacer.push("reasoning", event.text, now)
        elif isinstance(event, Usage):
            self.progress.usage = event
        elif isinstance(event, Finish) and event.reason == "length":
            log.info("response %s stopped at the token limit", self.response.id)

    async def _tick(self) -> None:
        now = time.monotonic()
        piece = self.pacer.take(now)
        if piece:
            await self._send(piece)
        if now - self._last_save >= SAVE_INTERVAL:
            await self._save_partial()

    async def _send(self, piece: Piece) -> None:
        progress = self.progress
        frame = Delta(
            conversation_id=self.turn.conversation.id,
            message_id=self.response.id,
            text=piece.text,
            reasoning=piece.reasoning,
            offset=progress.sent_text,
            reasoning_offset=progress.sent_reasoning,
        )
        progress.sent_text += len(piece.text)
        progress.sent_reasoning += len(piece.reasoning)
        await events.publish(self.group, frame.dump())

    async def _save_partial(self) -> None:
        self._last_save = time.monotonic()
        response = self.response
        response.text = "".join(self.progress.text)
        response.reasoning = "".join(self.progress.reasoning)
        await response.asave(update_fields=["text", "reasoning", "updated_at"])

    async def _finish(self, state: str, error: ProviderError | None) -> None:
        rest = self.pacer.drain(time.monotonic())
        if rest:
            await self._send(rest)
        response, usage = self.response, self.progress.usage
        response.text = "".join(self.progress.text)
        response.reasoning = "".join(self.progress.reasoning)
        response.state = state
        response.error = error.user_message if error else ""
        response.prompt_tokens, response.completion_tokens = (
            usage.prompt_tokens,
            usage.completion_tokens,
        )
        rate = self.plan.rate if self.plan else None
        response.cost = Decimal(str(round(tokens.cost(usage, rate) or 0, 8)))
        await response.asave()
        await self.turn.conversation.asave(update_fields=["updated_at"])
        await events.publish(self.group, final_frame(response))
        settle = database_sync_to_async(gate.settled)  # balance; titleTiming: final
        await settle(self.turn, response, usage, rate, self.provider_called)
        if error is not None:
            frame = Error(
                conversation_id=self.turn.conversation.id,
                code=str(error.kind),
                message=error.user_message,
            )
            await events.publish(self.group, frame.dump())

    async def _listen(self, channel: str) -> None:
        """Stop and catch-up requests from sockets in any process (group `gen.<id>`)."""
        layer = get_channel_layer()
        while True:
            message = await layer.receive(channel)
            if message["type"] == END:
                return
            if message["type"] == events.STOP:
                self._stop.set()
            elif message["type"] == events.SNAPSHOT_REQUEST:
                await layer.send(message["reply_to"], self._snapshot())

    def _snapshot(self) -> dict[str, Any]:
        progress = self.progress
        text = "".join(progress.text)[: progress.sent_text]
        reasoning = "".join(progress.reasoning)[: progress.sent_reasoning]
        state = State(
            conversation_id=self.turn.conversation.id,
            message_id=self.response.id,
            text=text,
            reasoning=reasoning,
            streaming=True,
        )
        return {"type": events.SNAPSHOT, "frame": state.dump()}

    def _created(self) -> dict[str, Any]:
        question = self.turn.user_message
        return Created(
            conversation_id=self.turn.conversation.id,
            user_message=UserMessage(
                id=question.id, parent_id=question.parent_id, text=question.text
            ),
            response_id=self.response.id,
            endpoint=self.response.endpoint,
            model=self.response.model,
        ).dump()


def _aiter(stream: Any) -> AsyncIterator[Any]:
    return stream.__aiter__()


def _min(a: float | None, b: float) -> float:
    return b if a is None else min(a, b)
