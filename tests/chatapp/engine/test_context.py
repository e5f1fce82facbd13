from dataclasses import dataclass

import pytest

from chatapp.branches import path_to
from chatapp.engine.context import fit, to_chat_messages
from endpoints.adapters.base import ChatMessage, ErrorKind, ProviderError


def words(message: ChatMessage) -> int:
    """A stand-in count: a token per word and 4 per message."""
    return len(message.content.split()) + 4


@dataclass(frozen=True)
class Node:
    id: object
    parent_id: object | None
    role: str
    text: str


def history(turns: int) -> list[ChatMessage]:
    messages = []
    for i in range(turns):
        messages += [ChatMessage("user", f"question {i} " * 5), ChatMessage("assistant", "a " * 10)]
    return messages + [ChatMessage("user", "newest question")]


def test_everything_fits_in_a_large_window():
    fitted = fit("Be brief.", history(3), window=10_000, count=words)
    assert fitted[0] == ChatMessage("system", "Be brief.")
    assert list(fitted[1:]) == history(3)


def test_oldest_turns_are_dropped_first_and_system_and_newest_kept():
    full = history(10)
    fitted = fit("Be brief.", full, window=80, count=words)
    assert fitted[0].role == "system"
    assert fitted[-1] == ChatMessage("user", "newest question")
    kept = list(fitted[1:])
    assert kept == full[len(full) - len(kept) :]  # a suffix: the oldest went first
    assert len(kept) < len(full)
    assert kept[0].role == "user"  # never opens with an orphan answer
    assert sum(words(m) for m in fitted) + 3 <= 80  # 3: the reply's priming


def test_reserve_leaves_room_for_the_answer():
    full = history(10)
    assert len(fit("", full, window=200, count=words, reserve=150)) < len(
        fit("", full, window=200, count=words)
    )


def test_a_prompt_that_cannot_fit_alone_is_an_error():
    with pytest.raises(ProviderError) as caught:
        fit("system " * 50, [ChatMessage("user", "hello")], window=40, count=words)
    assert caught.value.kind == ErrorKind.CONTEXT_TOO_LONG


def test_the_active_branch_becomes_the_prompt():
    nodes = [
        Node(1, None, "user", "root"),
        Node(2, 1, "assistant", "first answer"),
        Node(3, 1, "assistant", "regenerated answer"),
        Node(4, 3, "user", "follow-up"),
    ]
    assert to_chat_messages(path_to(nodes, 4))[1] == ChatMessage("assistant", "regenerated answer")


def test_empty_messages_are_skipped():
    nodes = [Node(1, None, "user", "q"), Node(2, 1, "assistant", ""), Node(3, 2, "user", "q2")]
    assert [m.content for m in to_chat_messages(path_to(nodes, 3))] == ["q", "q2"]
