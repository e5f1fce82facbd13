"""A conversation's branches: the one walk of its message tree (`Message.parent`).

A conversation is a tree; a branch is a path from the root. Everything that
needs one walks it here: the provider's prompt (`path_to`), a share, a fork
and an export (`branch`), and the page (`visible`), which shows the path to a
message and then on down through the newest child at each step, so switching
to a sibling shows that sibling's latest continuation.

Linear in the number of messages: a conversation may hold thousands of
regenerations, and each sibling's position is recorded once, never searched for.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from chatapp.models import Conversation, Message


class Linked(Protocol):
    """What a walk needs of a message."""

    id: Any
    parent_id: Any


M = TypeVar("M", bound=Linked)


@dataclass(frozen=True)
class Shown:
    message: Message
    index: int  # 1-based position among its siblings
    count: int
    previous_id: Any = None  # the sibling before, to switch to
    next_id: Any = None


def path_to(messages: Iterable[M], leaf_id: Any) -> list[M]:
    """The branch from the root down to `leaf_id`, root first (empty when it is unknown)."""
    by_id = {message.id: message for message in messages}
    path: list[M] = []
    current = by_id.get(leaf_id)
    while current is not None:
        path.append(current)
        current = by_id.get(current.parent_id) if current.parent_id is not None else None
    return path[::-1]


def newest(messages: Iterable[Message]) -> Message | None:
    return max(messages, key=lambda m: (m.created_at, str(m.id)), default=None)


def branch(conversation: Conversation, leaf: Message | None) -> list[Message]:
    """The messages from the root to `leaf` (default: the newest message)."""
    messages = list(conversation.messages.all())
    leaf = leaf or newest(messages)
    return path_to(messages, leaf.id) if leaf else []


def visible(messages: list[Message], through: Any = None) -> list[Shown]:
    """The shown path through message id `through` (default: the newest message)."""
    if not messages:
        return []
    children: dict[Any, list[Message]] = defaultdict(list)
    position: dict[Any, int] = {}
    for message in sorted(messages, key=lambda m: (m.created_at, str(m.id))):
        position[message.id] = len(children[message.parent_id])
        children[message.parent_id].append(message)
    ids = {m.id for m in messages}
    path = path_to(messages, through if through in ids else newest(messages).id)
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
