"""What a `/v1` request asks, whatever its wire: one `Call`, and what comes back.

Each wire (openai_wire, anthropic_wire) parses its body into a `Call`; the
relay runs it and yields `Delta`s, then one `Outcome`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chatapp.gateway.errors import ApiError


@dataclass(frozen=True)
class Call:
    model: str  # the id as the client named it (echoed back)
    text: str  # the last user message
    history: tuple[tuple[str, str], ...] = ()  # the messages before it: (role, text)
    instructions: str = ""  # the system prompt ("" for none)
    params: dict[str, Any] = field(default_factory=dict)  # the client's, by their names
    stream: bool = False
    include_usage: bool = False  # OpenAI's stream_options.include_usage


@dataclass(frozen=True)
class Delta:
    text: str
    reasoning: str = ""


@dataclass(frozen=True)
class Outcome:
    """The end of a call: its text, usage, and why it stopped (or the error that ended it)."""

    id: str
    text: str
    reasoning: str
    prompt_tokens: int
    completion_tokens: int
    error: ApiError | None = None
    finish_reason: str = "stop"  # in OpenAI's words: stop, length, content_filter, tool_calls
