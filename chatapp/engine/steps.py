"""The tool steps of a generation: run a model reply's calls, each under its timeout.

Calls run in parallel. Whatever happens to one (no such tool, arguments that are not a
JSON object or too long, a timeout, a crash, an output that is not text) ends it as an
error result the model reads and the user sees; only a stop cancels it. What goes back
to the model is cut at `maxToolResultChars` (and never past MAX_RESULT_CHARS, whatever
the configuration): the step records that it was cut and how long the output was.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from chatapp.models import ToolStep
from chatapp.tools.base import Tool, ToolContext, ToolOutput
from chatapp.tools.registry import Toolbox
from endpoints.adapters.base import ToolCall, ToolResult

log = logging.getLogger(__name__)

MAX_RESULT_CHARS = 200_000  # a ceiling for a result sent back when nothing smaller is set
MAX_DATA_BYTES = 64 * 1024  # a tool's extra data kept with its step
RUNNING, DONE, ERROR, CANCELLED = "running", "done", "error", "cancelled"


@dataclass
class Step:
    """One call and how it went; its fields are the saved ToolStep's."""

    position: int
    round: int
    call_id: str
    tool: str
    arguments: str
    server: str = ""
    signature: str = ""  # the provider's (Gemini's thoughtSignature), sent back with the call
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    state: str = RUNNING
    result: str = ""
    result_chars: int = 0
    truncated: bool = False
    data: dict[str, Any] = field(default_factory=dict)
    text_offset: int = 0
    duration_ms: int | None = None

    @property
    def is_error(self) -> bool:
        return self.state in (ERROR, CANCELLED)

    def as_result(self) -> ToolResult:
        return ToolResult(self.call_id, self.tool, self.result, self.is_error)


@dataclass(frozen=True)
class Limits:
    max_result_chars: int | None = None  # maxToolResultChars
    max_argument_bytes: int = 65_536  # endpoints.agents.maxToolCallArgBytes


def plan(calls: tuple[ToolCall, ...], toolbox: Toolbox, first: int, round_: int) -> list[Step]:
    """The steps of one model reply's calls, numbered from `first`."""
    steps = []
    for i, call in enumerate(calls):
        tool = toolbox.get(call.name)
        steps.append(
            Step(
                position=first + i,
                round=round_,
                call_id=call.id,
                tool=call.name,
                arguments=call.arguments,
                server=tool.server if tool else "",
                signature=call.signature,
            )
        )
    return steps


async def run(step: Step, tool: Tool | None, context: ToolContext, limits: Limits) -> Step:
    """Run one step to its end (a stop cancels it: the step says so, then the
    cancellation goes on)."""
    started = time.monotonic()
    try:
        output = await _output(step, tool, context, limits)
    except asyncio.CancelledError:
        cancel(step)
        step.duration_ms = _ms_since(started)
        raise
    step.duration_ms = _ms_since(started)
    _record(step, output, limits)
    return step


def cancel(step: Step) -> None:
    """A step a stop ended before its tool finished, or before it began."""
    step.state, step.result = CANCELLED, "Stopped before the tool finished."


async def _output(step: Step, tool: Tool | None, context: ToolContext, limits: Limits):
    if tool is None:
        return ToolOutput(f"No tool named {step.tool!r} is available.", is_error=True)
    if len(step.arguments.encode()) > limits.max_argument_bytes:
        too_long = f"The arguments are longer than {limits.max_argument_bytes} bytes."
        return ToolOutput(too_long, is_error=True)
    arguments = _arguments(step.arguments)
    if arguments is None:
        return ToolOutput("The arguments are not a JSON object.", is_error=True)
    timeout = getattr(tool, "timeout", None) or settings.TOOLS_TIMEOUT
    try:
        async with asyncio.timeout(timeout):
            output = await tool.run(arguments, context)
    except TimeoutError:
        return ToolOutput(f"The tool did not answer within {timeout:g} seconds.", is_error=True)
    except Exception as error:
        log.exception("tool %s (server %r) failed", step.tool, step.server)
        return ToolOutput(f"The tool failed: {type(error).__name__}.", is_error=True)
    if not isinstance(output, ToolOutput) or not isinstance(output.text, str):
        return ToolOutput("The tool returned something other than text.", is_error=True)
    return output


def _arguments(text: str) -> Mapping[str, Any] | None:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _record(step: Step, output: ToolOutput, limits: Limits) -> None:
    limit = min(limits.max_result_chars or MAX_RESULT_CHARS, MAX_RESULT_CHARS)
    text = output.text
    step.result_chars, step.truncated = len(text), len(text) > limit
    if step.truncated:
        text = text[:limit] + f"\n[Truncated: the first {limit} of {len(text)} characters.]"
    step.result = text
    step.state = ERROR if output.is_error else DONE
    step.data = _data(output.data)


def _data(data: Mapping[str, Any]) -> dict[str, Any]:
    """The tool's extra data, if it is small JSON (it is kept with the step and shown)."""
    try:
        dumped = json.dumps(dict(data or {}))
    except (TypeError, ValueError):
        return {}
    return json.loads(dumped) if len(dumped) <= MAX_DATA_BYTES else {}


def _ms_since(started: float) -> int:
    return max(0, round((time.monotonic() - started) * 1000))


SAVED_FIELDS = ("state", "result", "result_chars", "truncated", "data", "duration_ms")


def save_started(message_id: Any, batch: list[Step]) -> None:
    """The steps of one model reply, saved running as they start."""
    ToolStep.objects.bulk_create(
        ToolStep(
            id=step.id,
            message_id=message_id,
            position=step.position,
            round=step.round,
            call_id=step.call_id[:200],
            tool=step.tool[:200],
            server=step.server[:200],
            arguments=step.arguments[:MAX_RESULT_CHARS],
            signature=step.signature,
            state=step.state,
            text_offset=step.text_offset,
        )
        for step in batch
    )


def save_ended(batch: list[Step]) -> None:
    """How the steps ended (one statement for the batch)."""
    rows = [
        ToolStep(id=step.id, **{name: getattr(step, name) for name in SAVED_FIELDS})
        for step in batch
    ]
    if rows:
        ToolStep.objects.bulk_update(rows, SAVED_FIELDS)
