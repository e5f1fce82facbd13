"""The branch of a conversation's message tree that the page shows, with sibling arrows.

A conversation is a tree (`Message.parent`); the page shows one path from the
root. Showing a message means: the path from the root to it, then on down
through the newest child at each step, so switching to a sibling shows that
sibling's latest continuation.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from chatapp.models import Message


@dataclass(frozen=True)
class Shown:
    message: Message
    index: int  # 1-based position among its siblings
    count: int
    previous_id: Any = None  # the sibling before, to switch to
    next_id: Any = None


def visible_branch(messages: list[Message], through: Any = None) -> list[Shown]:
    """The shown path through message id `through` (default: the newest message).

    Linear in the number of messages: each sibling's position is recorded once,
    never searched for (a conversation may hold thousands of regenerations).
    """
    if not messages:
        return []
    by_id = {m.id: m for m in messages}
    children: dict[Any, list[Message]] = defaultdict(list)
    position: dict[Any, int] = {}
    for message in sorted(messages, key=lambda m: (m.created_at, str(m.id))):
        position[message.id] = len(children[message.parent_id])
        children[message.parent_id].append(message)
    newest = max(messages, key=lambda m: (m.created_at, str(m.id)))
    anchor = by_id.get(through, newest)
    path = []
    node: Message | None = anchor
    while node is not None:
        path.append(node)
        node = by_id.get(node.parent_id)
    path.reverse()
    while children.get(path[-1].id):
        path.append(children[path[-1].id][-1])
    return [_shown(m, position[m.id], children[m.parent_id]) for m in path]


def _shown(message: Message, index: int, siblings: list[Message]) -> Shown:
    return Shown(
        message=message,
        index=index + 1,
        count=len(siblings),
        previous_id=siblings[index - 1].id if index > 0 else None,
        next_id=siblings[index + 1].id if index + 1 < len(siblings) else None,
    )
