import pytest

from chatapp.engine.context import Node, fit, path_to, to_chat_messages
from endpoints.adapters.base import ChatMessage, ErrorKind, ProviderError


def words(text: str) -> int:
    return len(text.split())


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
    assert sum(words(m.content) + 4 for m in fitted) <= 80


def test_reserve_leaves_room_for_the_answer():
    full = history(10)
    assert len(fit("", full, window=200, count=words, reserve=150)) < len(
        fit("", full, window=200, count=words)
    )


def test_a_prompt_that_cannot_fit_alone_is_an_error():
    with pytest.raises(ProviderError) as caught:
        fit("system " * 50, [ChatMessage("user", "hello")], window=40, count=words)
    assert caught.value.kind == ErrorKind.CONTEXT_TOO_LONG


def test_path_follows_the_active_branch_only():
    nodes = [
        Node(1, None, "user", "root"),
        Node(2, 1, "assistant", "first answer"),
        Node(3, 1, "assistant", "regenerated answer"),
        Node(4, 3, "user", "follow-up"),
    ]
    path = path_to(nodes, 4)
    assert [n.id for n in path] == [1, 3, 4]
    assert to_chat_messages(path)[1] == ChatMessage("assistant", "regenerated answer")


def test_empty_messages_are_skipped():
    nodes = [Node(1, None, "user", "q"), Node(2, 1, "assistant", ""), Node(3, 2, "user", "q2")]
    assert [m.content for m in to_chat_messages(path_to(nodes, 3))] == ["q", "q2"]


def test_path_through_ten_thousand_siblings():
    siblings = [Node(n, 0, "assistant", f"a{n}") for n in range(1, 10_001)]
    nodes = [Node(0, None, "user", "q"), *siblings, Node("next", 7_000, "user", "q2")]
    assert [n.id for n in path_to(nodes, "next")] == [0, 7_000, "next"]
