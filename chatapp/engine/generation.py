"""One generation: adapter stream → pacer → `conv.<owner>.<id>` group, with saves.

A generation is an asyncio task of the web process that accepted the turn; it
does not belong to any socket, so closing a tab does not stop it. It listens
on the `gen.<owner>.<conversation>` group for `stop` and for catch-up requests, from
sockets in any process. Every character received reaches the deltas: the
concatenation of a response's `delta.text` equals `final.message.text`.

Per token, the path is kept short (bench/README.md): one task reads the
provider and sends a frame at once when the pacer allows; text that must wait
goes out on the shared tick of its streamRate (chatapp.engine.clock); partial text
is saved for all generations at once (chatapp.engine.heartbeat); deltas reach this
process's sockets by `fanout.hub` and go to the channel layer only once a
socket of another process has asked to catch up (`remote`).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, TypeVar

from channels.layers import get_channel_layer
from django.db import DatabaseError

from accounts.guards import Admission
from chatapp import metrics
from chatapp.conf import dbthreads, rows
from chatapp.engine import events, frames, settlement, steps
from chatapp.engine.clock import clock
from chatapp.engine.control import controls
from chatapp.engine.heartbeat import Partial, heartbeat
from chatapp.engine.pacing import Pacer, Piece
from chatapp.engine.records import Turn
from chatapp.models import Message
from chatapp.tools.base import ToolContext
from chatapp.tools.registry import Toolbox
from endpoints import tokens
from endpoints.adapters.base import (
    ChatAdapter,
    ChatMessage,
    ChatRequest,
    Finish,
    ProviderError,
    ReasoningDelta,
    TextDelta,
    ToolCall,
    ToolCallDelta,
    Usage,
    tool_calls,
)
from endpoints.adapters.common import counted_usage
from endpoints.endpoint import TokenRate

log = logging.getLogger(__name__)
T = TypeVar("T")

_tasks: set[asyncio.Task] = set()


@dataclass(frozen=True)
class Plan:
    """Everything a generation needs besides the turn, resolved before it starts."""

    adapter: ChatAdapter
    request: ChatRequest
    stream_rate: float  # milliseconds
    rate: TokenRate | None = None  # prices the usage (tokenConfig or the known rates)
    toolbox: Toolbox = field(default_factory=Toolbox)  # offered as `request.tools`
    tool_context: ToolContext | None = None
    tool_limits: steps.Limits = field(default_factory=steps.Limits)
    recursion_limit: int = 25  # model calls in one turn (endpoints.agents)
    # The tools are the client's (the /v1 API's): the calls of a reply end the turn, unrun,
    # in the final frame; the client runs them and sends their results in its next request.
    client_tools: bool = False


@dataclass
class _Progress:
    text: list[str] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)
    sent_text: int = 0  # characters already published in deltas
    sent_reasoning: int = 0
    usage: Usage = field(default_factory=Usage)  # every model call's so far
    spent: Usage = field(default_factory=Usage)  # the finished model calls'
    calls: list[ToolCallDelta] = field(default_factory=list)  # the current model call's
    steps: list[steps.Step] = field(default_factory=list)
    finish: str | None = None  # the last model call's finish reason (endpoints Finish)
    asked: tuple[ToolCall, ...] = ()  # calls left to the client (Plan.client_tools)


class LoopFailure(Exception):
    """The tool loop ended the turn (the recursion limit): shown like a provider error."""

    def __init__(self, kind: str, user_message: str) -> None:
        super().__init__(user_message)
        self.kind, self.user_message = kind, user_message


def start(
    turn: Turn, plan: Plan | Exception, admission: Admission, received_at: float | None = None
) -> asyncio.Task:
    """Run the turn's generation in the background of this process.

    `plan` was built once the turn was saved (chatapp.engine.turns); when building it
    failed, the failure ends the turn like a provider error, after its `created` frame.
    `admission` (from chatapp.engine.admission) is released when the generation ends.
    `received_at` (time.monotonic()) is when the turn's frame arrived, for the metrics.
    """
    generation = Generation(turn, plan, admission, received_at)
    # A context of its own: the caller's may hold the executor of an HTTP request's sync
    # middleware (asgiref), which quits when the response is sent, long before the turn ends.
    task = asyncio.get_running_loop().create_task(generation.run(), context=contextvars.Context())
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)
    return task


async def wait_all() -> None:
    """Let the running generations finish (tests and graceful shutdown)."""
    while _tasks:
        await asyncio.gather(*list(_tasks), return_exceptions=True)


class Generation:
    def __init__(
        self,
        turn: Turn,
        plan: Plan | Exception,
        admission: Admission,
        received_at: float | None = None,
    ) -> None:
        self.turn, self.planned, self.admission = turn, plan, admission
        self.received_at = time.monotonic() if received_at is None else received_at
        self.first_text_sent = False
        self.provider_called = False
        self.plan: Plan | None = None
        self.response: Message = turn.response
        conversation = turn.conversation
        self.group = events.conversation_group(conversation.owner_id, conversation.id)
        self.pacer = Pacer(0)
        self.progress = _Progress()
        self.remote = False  # whether a socket of another process watches
        self._stop = asyncio.Event()
        self._sending = asyncio.Lock()  # frames leave one at a time, in order
        self._reader: asyncio.Task | None = None
        self._tools: asyncio.Future | None = None  # the running tool steps
        self._saves: list[asyncio.Future] = []  # the steps' saves, awaited before the final
        self._awaiting_provider = False

    async def run(self) -> None:
        # The provider is asked at once; joining the `gen.<owner>.<id>` group (stop,
        # catch-up: chatapp.engine.control) goes on beside it: its channel layer round
        # trip queues behind every other turn's.
        group = self._control_group()
        joining = asyncio.ensure_future(_after_the_request(controls().join(group, self)))
        metrics.active_streams.inc()
        try:
            await self._pump()
        finally:
            metrics.active_streams.dec()
            await self._leave(group, joining)
            if not self.admission.released:  # the turn ended before its final save
                await dbthreads.run(self.admission.release)

    async def _leave(self, group: str, joining: asyncio.Future) -> None:
        """Leave the group; a channel layer that fails here is logged, and the turn ends."""
        (joined,) = await asyncio.gather(joining, return_exceptions=True)
        if isinstance(joined, BaseException):  # not reachable from elsewhere: said once
            log.error("generation %s did not join %s: %r", self.response.id, group, joined)
        try:
            await controls().leave(group, self)
        except Exception:
            log.exception("generation %s did not leave %s", self.response.id, group)

    def _control_group(self) -> str:
        conversation = self.turn.conversation
        return events.generation_group(conversation.owner_id, conversation.id)

    async def _pump(self) -> None:
        state, error = Message.State.COMPLETE, None
        heartbeat().join(self)
        try:
            await self._stream()
        except (ProviderError, LoopFailure) as failure:
            state, error = Message.State.ERROR, failure
        except Exception as failure:  # a bug must still end the stream cleanly
            log.exception("generation %s failed", self.response.id)
            state, error = Message.State.ERROR, ProviderError.unavailable(str(failure) or "Error")
        finally:
            heartbeat().leave(self)
        if error is not None:
            metrics.errors.labels("provider", str(error.kind)).inc()
        if self._stop.is_set() and error is None:
            state = Message.State.ABORTED
        await self._finish(state, error)

    async def _stream(self) -> None:
        plan = self.planned
        if isinstance(plan, Exception) or self._stop.is_set():
            await self._announce()
            if isinstance(plan, Exception):
                raise plan
            return  # stopped before the provider was called
        self.plan = plan
        self.pacer = Pacer(plan.stream_rate)
        self.clock = clock(self.pacer.interval)
        self.provider_called = True
        metrics.time_to_provider.observe(time.monotonic() - self.received_at)
        # The provider is asked while the `created` frame goes out: the lock, free until
        # now (so taken at once), holds the deltas until it is out.
        await self._sending.acquire()
        announcing = asyncio.ensure_future(_after_the_request(self._announce(locked=True)))
        try:
            await self._loop(plan)
        finally:
            self.clock.forget(self)
            announced = await asyncio.gather(announcing, return_exceptions=True)
        if isinstance(announced[0], BaseException):
            raise announced[0]
        # The end of the stream waits at most one tick.
        wait = self.pacer.wait(time.monotonic())
        if wait and not self._stop.is_set():
            await asyncio.sleep(wait)

    async def _announce(self, locked: bool = False) -> None:
        """The `created` frame to this process's sockets (the lock held), then to the
        others' (their deltas come only once they ask to catch up: `remote`).

        A new chat's group has no socket in another process: its id was made by this
        turn, and a socket that learns it later catches up (chatapp.engine.catchup). Its
        frame went through the channel layer to come back to this process, unread."""
        if not locked:
            await self._sending.acquire()
        try:
            await events.publish(self.group, self._created(), remote=False)
        finally:
            self._sending.release()
        if not self.turn.new:
            await events.publish_remote(self.group, self._created())

    async def _loop(self, plan: Plan) -> None:
        """Model → tool calls → tools → results → model, until an answer without calls."""
        request = plan.request
        for round_ in range(plan.recursion_limit):
            if round_:  # every model call of the loop counts against the balance
                reason = await dbthreads.run(
                    settlement.still_funded, self.turn, self.progress.usage, plan.rate
                )
                if reason:
                    raise LoopFailure("balance", reason)
            start = sum(map(len, self.progress.text))
            calls = await self._model_call(plan.adapter, request)
            if not calls or self._stop.is_set():
                return
            if plan.client_tools:
                self.progress.asked = calls
                return
            if round_ + 1 >= plan.recursion_limit:
                raise LoopFailure("recursion_limit", RECURSION_LIMIT % plan.recursion_limit)
            done = await self._run_tools(plan, calls, round_)
            if self._stop.is_set():
                return
            said = "".join(self.progress.text)[start:]
            request = replace(
                request,
                tool_choice=None,  # forced on the first reply only: now the model may answer
                messages=(
                    *request.messages,
                    ChatMessage("assistant", said, tool_calls=calls),
                    ChatMessage("tool", "", tool_results=tuple(s.as_result() for s in done)),
                ),
            )

    async def _model_call(self, adapter: ChatAdapter, request: ChatRequest) -> tuple[ToolCall, ...]:
        """One model call, streamed; the tool calls it ends with."""
        self.progress.calls = []
        self._reader = reader = asyncio.ensure_future(self._read(adapter, request))
        try:
            await reader
        except asyncio.CancelledError:
            # `stop` cancels the reader while it waits for the provider; a
            # cancellation of this task itself is passed on.
            if not (reader.cancelled() and self._stop.is_set()) or _cancelling():
                raise
        finally:
            self.progress.spent = self.progress.usage
        return tool_calls(self.progress.calls)

    async def _run_tools(
        self, plan: Plan, calls: tuple[ToolCall, ...], round_: int
    ) -> list[steps.Step]:
        """The calls' steps, run in parallel; each saved and published as it starts and ends."""
        progress = self.progress
        async with self._sending:  # the text so far goes out before the steps
            rest = self.pacer.drain(time.monotonic())
            if rest:
                await self._publish_delta(rest)
        batch = steps.plan(calls, plan.toolbox, len(progress.steps), round_)
        for step in batch:
            step.text_offset = progress.sent_text
        progress.steps += batch
        # Saved beside the run, off the step's path (the frames carry it live); the
        # final save waits for every step's.
        started = self._save(steps.save_started, self.response.id, batch)
        await asyncio.gather(*(self._publish_step(step) for step in batch))
        context = plan.tool_context or ToolContext(user_id=self.turn.conversation.owner_id)
        runs = [self._run_step(plan, step, context) for step in batch]
        self._tools = tools = asyncio.ensure_future(asyncio.gather(*runs))
        if self._stop.is_set():  # a stop that came while the steps were announced
            tools.cancel()
        try:
            await tools
        except asyncio.CancelledError:
            # A cancelled gather ends with a CancelledError as its exception, not as
            # cancelled(): whether it was `stop` is the stop flag's word.
            if not self._stop.is_set() or _cancelling():
                raise
        finally:
            self._tools = None
            for step in batch:
                if step.state == steps.RUNNING:
                    # Cancelled before its run began (a stop within the same turn of the
                    # event loop): its own handler never ran to say so.
                    steps.cancel(step)
            ended = [step for step in batch if step.state != steps.RUNNING]
            self._save(steps.save_ended, ended, after=started)
        return batch

    def _save(self, save: Callable[..., None], *args: Any, after: Any = None) -> asyncio.Future:
        """Run a step save on a database thread, after `after` (an earlier save)."""

        async def run() -> None:
            if after is not None:
                await asyncio.gather(after, return_exceptions=True)
            await dbthreads.run(save, *args)

        future = asyncio.ensure_future(run())
        self._saves.append(future)
        return future

    async def _saved(self) -> None:
        """Every step save done; one that failed is logged (the answer is saved anyway)."""
        for outcome in await asyncio.gather(*self._saves, return_exceptions=True):
            if isinstance(outcome, BaseException):
                log.error("a tool step of %s was not saved", self.response.id, exc_info=outcome)

    async def _run_step(self, plan: Plan, step: steps.Step, context: ToolContext) -> None:
        try:
            await steps.run(step, plan.toolbox.get(step.tool), context, plan.tool_limits)
        finally:
            metrics_step(step)
            await self._publish_step(step)

    async def _publish_step(self, step: steps.Step) -> None:
        frame = frames.step(self.turn.conversation.id, self.response.id, frames.step_info(step))
        await events.publish(self.group, frame)

    async def _read(self, adapter: ChatAdapter, request: ChatRequest) -> None:
        events_in = aiter(adapter.stream(request))
        try:
            while not self._stop.is_set():
                self._awaiting_provider = True
                try:
                    event = await anext(events_in)
                except StopAsyncIteration:
                    return
                finally:
                    self._awaiting_provider = False
                now = time.monotonic()
                self._take_event(event, now)
                await self._pass_on(now)
        finally:
            with contextlib.suppress(Exception):
                await events_in.aclose()

    async def _pass_on(self, now: float) -> None:
        """Send what the pacer allows now; leave the rest to the clock's next tick."""
        wait = self.pacer.wait(now)
        if wait == 0.0:
            piece = self.pacer.take(now)
            if piece:
                await self._send(piece)
        if self.pacer.pending:
            self.clock.wake(self)

    async def on_tick(self, now: float) -> bool:
        """The clock's call (chatapp.engine.clock): send what is due; is anything still waiting?"""
        if self._stop.is_set():
            return False
        piece = self.pacer.take(now)
        if piece:
            await self._send(piece)
        return self.pacer.pending > 0

    def partial(self) -> Partial:
        """The text so far, for the heartbeat's save (chatapp.engine.heartbeat)."""
        progress = self.progress
        return Partial(self.response.id, "".join(progress.text), "".join(progress.reasoning))

    def _take_event(self, event: Any, now: float) -> None:
        if isinstance(event, TextDelta):
            self.progress.text.append(event.text)
            self.pacer.push("text", event.text, now)
        elif isinstance(event, ReasoningDelta):
            self.progress.reasoning.append(event.text)
            self.pacer.push("reasoning", event.text, now)
        elif isinstance(event, ToolCallDelta):
            self.progress.calls.append(event)
        elif isinstance(event, Usage):
            self.progress.usage = _added(self.progress.spent, event)
        elif isinstance(event, Finish):
            self.progress.finish = event.reason

    async def _send(self, piece: Piece) -> None:
        async with self._sending:
            await self._publish_delta(piece)

    async def _publish_delta(self, piece: Piece) -> None:
        progress = self.progress
        frame = frames.delta(
            self.turn.conversation.id,
            self.response.id,
            text=piece.text,
            reasoning=piece.reasoning,
            offset=progress.sent_text,
            reasoning_offset=progress.sent_reasoning,
        )
        progress.sent_text += len(piece.text)
        progress.sent_reasoning += len(piece.reasoning)
        await events.publish(self.group, frame, remote=self.remote)
        if piece.text and not self.first_text_sent:
            self.first_text_sent = True
            metrics.time_to_first_token.observe(time.monotonic() - self.received_at)

    async def _finish(self, state: str, error: ProviderError | LoopFailure | None) -> None:
        async with self._sending:
            rest = self.pacer.drain(time.monotonic())
            if rest:
                await self._publish_delta(rest)
        response, usage = self.response, self._usage(state)
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
        await self._saved()
        kept = await self._keep(response)
        metrics.tokens.labels("prompt").inc(max(0, usage.prompt_tokens))
        metrics.tokens.labels("completion").inc(max(0, usage.completion_tokens))
        infos = [frames.step_info(step) for step in self.progress.steps]
        final = frames.final(response, infos, self.progress.finish, self.progress.asked)
        await events.publish(self.group, final)
        # balance; titleTiming: final
        await dbthreads.run(
            settlement.settled, self.turn, response, usage, rate, self.provider_called
        )
        if not kept:
            frame = frames.error("not_saved", NOT_SAVED, self.turn.conversation.id)
            await events.publish(self.group, frame)
        elif error is not None:
            frame = frames.error(str(error.kind), error.user_message, self.turn.conversation.id)
            await events.publish(self.group, frame)

    async def _keep(self, response: Message) -> bool:
        """The final save, tried again while the database fails (a restart, a lock): the
        text is only in memory. False once it gave up: the row keeps the heartbeat's last
        text and is marked interrupted later (chatapp.engine.recovery)."""
        pauses = iter(FINAL_SAVE_PAUSES)
        while True:
            try:
                await dbthreads.run(_save_final, response, self.turn.conversation, self.admission)
                return True
            except DatabaseError:
                log.exception("the final save of response %s failed", response.id)
                pause = next(pauses, None)
                if pause is None:
                    metrics.errors.labels("database", "not_saved").inc()
                    return False
                await asyncio.sleep(pause)

    def _usage(self, state: str) -> Usage:
        """What the turn used: the provider's figures, or, for a stream stopped before the
        provider reported any (a stop, a client gone), the prompt and the text so far counted
        locally, so that a stopped answer is billed for what it took."""
        usage, plan = self.progress.usage, self.plan
        if state == Message.State.ABORTED and usage == Usage() and plan and self.provider_called:
            return counted_usage(plan.request, "".join(self.progress.text))
        return usage

    async def on_control(self, message: dict[str, Any]) -> None:
        """A stop or catch-up request from a socket in any process (chatapp.engine.control)."""
        if message["type"] == events.STOP:
            self._stop.set()
            if self._awaiting_provider and self._reader is not None:
                self._reader.cancel()
            if self._tools is not None:
                self._tools.cancel()
        elif message["type"] == events.SNAPSHOT_REQUEST:
            # From now on the deltas go to the other processes too; the
            # snapshot covers every delta sent before.
            self.remote = self.remote or events.from_elsewhere(message)
            await get_channel_layer().send(message["reply_to"], self._snapshot())

    def _snapshot(self) -> dict[str, Any]:
        progress = self.progress
        text = "".join(progress.text)[: progress.sent_text]
        reasoning = "".join(progress.reasoning)[: progress.sent_reasoning]
        infos = [frames.step_info(step) for step in progress.steps]
        state = frames.state(
            self.turn.conversation.id,
            self.response.id,
            text,
            reasoning,
            streaming=True,
            steps=infos,
        )
        return {"type": events.SNAPSHOT, "frame": state}

    def _created(self) -> dict[str, Any]:
        turn = self.turn
        return frames.created(turn.conversation.id, turn.user_message, self.response, turn.files)


async def _after_the_request(step: Awaitable[T]) -> T:
    """`step`, once the provider's request has had its first go on the event loop: a
    task started beside the request (the group's join, the `created` frame) would
    otherwise run first, its channel layer and socket work before the request leaves."""
    await asyncio.sleep(0)
    return await step


# What the end of a stream sets on its response (`_finish`).
FINAL_FIELDS = (
    "text",
    "reasoning",
    "state",
    "error",
    "prompt_tokens",
    "completion_tokens",
    "cost",
    "updated_at",
)


def _save_final(response: Message, conversation: Any, admission: Admission) -> None:
    """The ended response and its conversation's `updated_at` (one statement: chatapp.conf.
    rows), then the turn's concurrent-message slot: free before the `final` frame tells the
    user they may send again."""
    rows.update((response, FINAL_FIELDS), (conversation, ("updated_at",)))
    admission.release()


FINAL_SAVE_PAUSES = (0.25, 1.0)  # seconds before each new try of a failed final save
NOT_SAVED = (
    "This answer could not be saved: the database did not take it. What was saved while it"
    " streamed is kept."
)
RECURSION_LIMIT = (
    "The model was still calling tools after %d model calls (the recursion limit):"
    " the answer ends here."
)


def _added(spent: Usage, usage: Usage) -> Usage:
    """The usage of the finished model calls plus the current one's latest report."""
    return Usage(
        prompt_tokens=spent.prompt_tokens + usage.prompt_tokens,
        completion_tokens=spent.completion_tokens + usage.completion_tokens,
        cache_read_tokens=spent.cache_read_tokens + usage.cache_read_tokens,
        cache_write_tokens=spent.cache_write_tokens + usage.cache_write_tokens,
    )


def metrics_step(step: steps.Step) -> None:
    metrics.tool_steps.labels(step.state).inc()


def _cancelling() -> bool:
    """Whether the running task itself is being cancelled (shutdown, a test's timeout)."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0
