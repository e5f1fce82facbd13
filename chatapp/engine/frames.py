"""The events the engine publishes, as the JSON-safe dicts every watcher receives.

Each is built here as a plain dict, the frame an edge passes on as it is: the
chat socket sends it, an HTTP API reads it. Their schema is the public
protocol, kept with the client frames in chatapp.protocol (docs/protocol.md);
tests/chatapp/engine/test_frames.py checks every builder against it. Built
directly rather than through the pydantic models: a delta goes out per token,
and the engine needs nothing of the socket's protocol module.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

Frame = dict[str, Any]


def created(conversation_id: Any, question: Any, response: Any, files: Any = ()) -> Frame:
    """A turn started: the saved user message with its files (as the conversation API shows
    them: chatapp.files.attachments.summary), and the id its response will stream under."""
    return {
        "type": "created",
        "conversation_id": _id(conversation_id),
        "user_message": {
            "id": _id(question.id),
            "parent_id": _id_or_none(question.parent_id),
            "text": question.text,
            "files": list(files),
        },
        "response_id": _id(response.id),
        "endpoint": response.endpoint,
        "model": response.model,
    }


def delta(
    conversation_id: Any,
    message_id: Any,
    *,
    text: str,
    reasoning: str,
    offset: int,
    reasoning_offset: int,
) -> Frame:
    """Text and reasoning new since the last delta; the offsets count what was sent before."""
    return {
        "type": "delta",
        "conversation_id": _id(conversation_id),
        "message_id": _id(message_id),
        "text": text,
        "reasoning": reasoning,
        "offset": offset,
        "reasoning_offset": reasoning_offset,
    }


def step_info(step: Any) -> Frame:
    """A tool step (chatapp.engine.steps.Step or the saved ToolStep) as frames carry it."""
    return {
        "id": _id(step.id),
        "position": step.position,
        "round": step.round,
        "call_id": step.call_id,
        "tool": step.tool,
        "server": step.server,
        "arguments": step.arguments,
        "state": step.state,
        "result": step.result,
        "result_chars": step.result_chars,
        "truncated": step.truncated,
        "data": step.data,
        "text_offset": step.text_offset,
        "duration_ms": step.duration_ms,
    }


def step(conversation_id: Any, message_id: Any, info: Frame) -> Frame:
    """A tool step started or ended (the same `step.id` again: the later one wins)."""
    return {
        "type": "step",
        "conversation_id": _id(conversation_id),
        "message_id": _id(message_id),
        "step": info,
    }


def final(
    message: Any,
    steps: list[Frame] | None = None,
    finish_reason: str | None = None,
    tool_calls: Sequence[Any] = (),
) -> Frame:
    """The saved response `Message`, as it ended, with its tool steps, why the model
    stopped (`stop`, `length`, `content_filter`, `tool_calls`; None when it never said),
    and the calls of client tools it made (the /v1 API's: endpoints ToolCall), unrun."""
    return {
        "type": "final",
        "conversation_id": _id(message.conversation_id),
        "message": {
            "id": _id(message.id),
            "parent_id": _id_or_none(message.parent_id),
            "text": message.text,
            "reasoning": message.reasoning,
            "state": message.state,
            "error": message.error,
            "usage": {
                "prompt_tokens": message.prompt_tokens,
                "completion_tokens": message.completion_tokens,
            },
            "cost": float(Decimal(message.cost)),
            "endpoint": message.endpoint,
            "model": message.model,
            "steps": steps or [],
            "finish_reason": finish_reason,
            "tool_calls": [
                {"id": c.id, "name": c.name, "arguments": c.arguments} for c in tool_calls
            ],
        },
    }


def error(code: str, message: str, conversation_id: Any = None) -> Frame:
    """A refusal or a failure; with a conversation id, it ends that conversation's turn."""
    return {
        "type": "error",
        "conversation_id": _uuid_or_none(conversation_id),
        "code": code,
        "message": message,
    }


def state(
    conversation_id: Any,
    message_id: Any,
    text: str = "",
    reasoning: str = "",
    *,
    streaming: bool,
    steps: list[Frame] | None = None,
) -> Frame:
    """A response's text and tool steps so far (catch-up), or nothing streaming
    (`message_id` None)."""
    return {
        "type": "state",
        "conversation_id": _id(conversation_id),
        "message_id": _id_or_none(message_id),
        "text": text,
        "reasoning": reasoning,
        "streaming": streaming,
        "steps": steps or [],
    }


def title(conversation_id: Any, text: str) -> Frame:
    return {"type": "title", "conversation_id": _id(conversation_id), "title": text}


def _id(value: Any) -> str:
    """An id as the protocol writes it: a UUID's canonical text, whatever form it came in."""
    return str(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))


def _id_or_none(value: Any) -> str | None:
    return None if value is None else _id(value)


def _uuid_or_none(value: Any) -> str | None:
    """A conversation id as the protocol has it: a UUID, or None for anything else."""
    try:
        return str(uuid.UUID(str(value))) if value else None
    except ValueError:
        return None
