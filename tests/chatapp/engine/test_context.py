from dataclasses import dataclass

import pytest

from chatapp.branches import path_to
from chatapp.engine.context import fit, to_chat_messages
from endpoints.adapters.base import ChatMessage, ErrorKind, ProviderError, ToolCall, ToolResult


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


@dataclass(frozen=True)
class Step:
    round: int
    text_offset: int
    tool: str = "echo"
    call_id: str = ""
    arguments: str = "{}"
    signature: str = ""
    result: str = "out"
    state: str = "done"
    id: str = "5f0c-1"


def answer(text: str, *steps: Step, offered=("echo", "lookup")) -> list[ChatMessage]:
    path = [Node(1, None, "user", "q"), Node(2, 1, "assistant", text)]
    return to_chat_messages(path, steps={2: steps}, offered=offered)[1:]


def test_an_answer_goes_back_with_its_rounds_of_calls_and_results():
    sent = answer(
        "Let me look. Found it. Done.",
        Step(0, 13, call_id="a", arguments='{"x": 1}'),
        Step(0, 13, "lookup", "b", result="no", state="error"),
        Step(1, 23, call_id="c"),
    )
    assert sent == [
        ChatMessage(
            "assistant",
            "Let me look. ",
            tool_calls=(ToolCall("a", "echo", '{"x": 1}'), ToolCall("b", "lookup", "{}")),
        ),
        ChatMessage(
            "tool",
            "",
            tool_results=(ToolResult("a", "echo", "out"), ToolResult("b", "lookup", "no", True)),
        ),
        ChatMessage("assistant", "Found it. ", tool_calls=(ToolCall("c", "echo", "{}"),)),
        ChatMessage("tool", "", tool_results=(ToolResult("c", "echo", "out"),)),
        ChatMessage("assistant", "Done."),
    ]


def test_a_call_without_an_id_gets_one_from_its_step():
    (asked, _, _) = answer("ok", Step(0, 0, id="5f0c-1"))
    assert asked.tool_calls[0].id == "call_5f0c1"


def test_a_round_of_a_tool_not_offered_is_written_into_the_text():
    sent = answer("Done.", Step(0, 0, arguments='{"x": 1}'), offered=("lookup",))
    assert sent == [
        ChatMessage("assistant", '\n\n[Tool call: echo {"x": 1}]\n[Result: out]\n\nDone.')
    ]


def test_a_last_round_the_answer_never_replied_to_is_text():
    """A stopped turn: results then the user's next message would break the alternation."""
    sent = answer(
        "Looking.",
        Step(0, 0, call_id="a"),
        Step(1, 8, call_id="b", result="", state="running"),
    )
    assert [m.role for m in sent] == ["assistant", "tool", "assistant"]
    assert sent[2] == ChatMessage(
        "assistant", "Looking.\n\n[Tool call: echo {}]\n[Error: The tool did not finish.]\n\n"
    )


def test_an_answer_with_steps_and_no_text_is_sent():
    (sent,) = answer("", Step(0, 0, result="Stopped before the tool finished.", state="cancelled"))
    assert sent.text.strip() == "[Tool call: echo {}]\n[Error: Stopped before the tool finished.]"
