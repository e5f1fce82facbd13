"""From a branch to the messages a provider receives, fitted to its window.

Pure: callers hand in the path from the root to the newest user message (the
active branch only, from chatapp.branches; siblings never leak in), the system
prompt, the model's context window and the one token count of a message
(endpoints.tokens.count_message). chatapp.engine.prompt is the caller.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from endpoints.adapters.base import ChatMessage, Part, ProviderError
from endpoints.tokens import REPLY_PRIMING

Counter = Callable[[ChatMessage], int]  # a message's prompt tokens, its overhead included


class Stored(Protocol):
    """What a prompt needs of a stored message."""

    role: str
    text: str


def fit(
    system_prompt: str,
    history: Sequence[ChatMessage],
    window: int,
    count: Counter,
    reserve: int = 0,
) -> tuple[ChatMessage, ...]:
    """System prompt + as much of `history` as fits in `window - reserve` tokens.

    The oldest turns go first; the system prompt and the newest message (the
    user's turn) are always kept, so a prompt that cannot fit even alone is a
    `context_too_long` error before anything is sent to the provider.
    """
    cost = [count(message) for message in history]
    system = [ChatMessage("system", system_prompt)] if system_prompt.strip() else []
    budget = window - reserve - REPLY_PRIMING - sum(count(m) for m in system)
    if not history or cost[-1] > budget:
        raise ProviderError.context_too_long(
            f"The message and system prompt need more than the {window - reserve} tokens "
            "this model accepts."
        )
    start = len(history) - 1
    used = cost[start]
    while start > 0 and used + cost[start - 1] <= budget:
        start -= 1
        used += cost[start]
    kept = list(history[start:])
    while len(kept) > 1 and kept[0].role != "user":  # a conversation opens with a user turn
        kept.pop(0)
    return (*system, *kept)


def to_chat_messages(
    path: Sequence[Stored], parts: Mapping[Any, tuple[Part, ...]] | None = None
) -> list[ChatMessage]:
    """Stored messages as provider messages, skipping empty ones (failed responses);
    a message with files carries `parts[message.id]` (its text first) instead of its text."""
    parts = parts or {}
    return [
        ChatMessage(m.role, parts.get(getattr(m, "id", None)) or m.text)  # type: ignore[arg-type]
        for m in path
        if m.text.strip() or parts.get(getattr(m, "id", None))
    ]
