"""What a `/v1` request asks, whatever its wire: one `Call`, and what comes back.

Each wire (openai_wire, anthropic_wire) parses its body into a `Call`; the
relay runs it and yields `Delta`s, then one `Outcome`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chatapp.gateway.errors import ApiError
from endpoints.adapters.base import ChatMessage, ImagePart, ToolCall, ToolSpec


@dataclass(frozen=True)
class Call:
    model: str  # the id as the client named it (echoed back)
    text: str  # the last message as a saved conversation keeps it (and moderation reads)
    history: tuple[tuple[str, str], ...] = ()  # the messages before it, saved: (role, text)
    instructions: str = ""  # the system prompt ("" for none)
    params: dict[str, Any] = field(default_factory=dict)  # the client's, by their names
    stream: bool = False
    include_usage: bool = False  # OpenAI's stream_options.include_usage
    # The prompt as the provider gets it (after the system prompt): images, tool calls and
    # results included; empty: `history` and `text` (chatapp.engine.records.ClientPrompt).
    messages: tuple[ChatMessage, ...] = ()
    tools: tuple[ToolSpec, ...] = ()  # the client's own (chatapp/gateway/tools.py)
    tool_choice: str | None = None  # one of `tools` the reply must call; None: the model's
    images: tuple[tuple[str, ImagePart], ...] = ()  # each with its field (gateway/images.py)


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
    tool_calls: tuple[ToolCall, ...] = ()  # of the client's tools, for it to run
