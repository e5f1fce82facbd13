"""From a message tree to the messages a provider receives, fitted to its window.

Pure: callers hand in the path from the root to the newest user message (the
active branch only; siblings never leak in), the system prompt, the model's
context window and a token counter.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from endpoints.adapters.base import ChatMessage, ProviderError

Counter = Callable[[str], int]
MESSAGE_OVERHEAD = 4  # tokens each message costs beyond its text (role, separators)


@dataclass(frozen=True)
class Node:
    """What context needs of a stored message."""

    id: object
    parent_id: object | None
    role: str
    text: str


def path_to(nodes: Iterable[Node], leaf_id: object) -> list[Node]:
    """The branch from the root down to `leaf_id`, root first."""
    by_id = {node.id: node for node in nodes}
    path: list[Node] = []
    current = by_id.get(leaf_id)
    while current is not None:
        path.append(current)
        current = by_id.get(current.parent_id) if current.parent_id is not None else None
    return path[::-1]


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
    cost = [count(message.content) + MESSAGE_OVERHEAD for message in history]
    system = [ChatMessage("system", system_prompt)] if system_prompt.strip() else []
    budget = window - reserve - sum(count(m.content) + MESSAGE_OVERHEAD for m in system)
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


def to_chat_messages(path: Sequence[Node]) -> list[ChatMessage]:
    """Stored messages as provider messages, skipping empty ones (failed responses)."""
    return [ChatMessage(node.role, node.text) for node in path if node.text.strip()]  # type: ignore[arg-type]
