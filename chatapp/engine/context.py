"""From a branch to the messages a provider receives, fitted to its window.

Pure: callers hand in the path from the root to the newest user message (the
active branch only, from chatapp.branches; siblings never leak in), the system
prompt, the model's context window and the one token count of a message
(endpoints.tokens.count_message). chatapp.engine.prompt is the caller.

An earlier answer that called tools goes back as it happened, as LibreChat's agents
send it (formatAgentMessages): per round of calls, the text before them with the calls,
then a tool message with their results, then the rest of the text. A round calling a
tool this turn does not offer is written into the text instead (as LibreChat does for a
tool outside its set): Anthropic and Bedrock refuse tool blocks without the tool
definitions. So is a last round the answer never replied to (stopped, failed): the
provider would otherwise see results followed by the user's next message.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, Protocol

from endpoints.adapters.base import ChatMessage, Part, ProviderError, ToolCall, ToolResult
from endpoints.tokens import REPLY_PRIMING

Counter = Callable[[ChatMessage], int]  # a message's prompt tokens, its overhead included


class Stored(Protocol):
    """What a prompt needs of a stored message."""

    role: str
    text: str


class StoredStep(Protocol):
    """What a prompt needs of a saved tool step (chatapp.models.ToolStep)."""

    id: Any
    round: int
    call_id: str
    tool: str
    arguments: str
    signature: str
    result: str
    state: str
    text_offset: int


UNFINISHED = "The tool did not finish."  # a step saved running: its turn ended mid-call


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
    path: Sequence[Stored],
    parts: Mapping[Any, tuple[Part, ...]] | None = None,
    steps: Mapping[Any, Sequence[StoredStep]] | None = None,
    offered: Collection[str] = (),
) -> list[ChatMessage]:
    """Stored messages as provider messages, skipping empty ones (failed responses);
    a message with files carries `parts[message.id]` (its text first) instead of its text;
    an answer with tool steps (`steps[message.id]`, in order) carries its calls and their
    results (`offered`: the names of the tools this turn offers)."""
    parts, steps = parts or {}, steps or {}
    messages: list[ChatMessage] = []
    for m in path:
        key = getattr(m, "id", None)
        if steps.get(key):
            messages += _answer_with_steps(m.text, steps[key], offered)
        elif m.text.strip() or parts.get(key):
            messages.append(ChatMessage(m.role, parts.get(key) or m.text))  # type: ignore[arg-type]
    return messages


def _answer_with_steps(
    text: str, steps: Sequence[StoredStep], offered: Collection[str]
) -> list[ChatMessage]:
    rounds = [list(batch) for _, batch in itertools.groupby(steps, key=lambda s: s.round)]
    messages: list[ChatMessage] = []
    said, written = 0, ""  # text sent so far; rounds written as text, not yet sent
    for i, batch in enumerate(rounds):
        offset = min(max(said, batch[0].text_offset), len(text))
        before, said = written + text[said:offset], offset
        answered = i + 1 < len(rounds) or text[said:].strip()
        if answered and all(step.tool in offered for step in batch):
            calls = tuple(_call(step) for step in batch)
            results = tuple(_result(step) for step in batch)
            messages.append(ChatMessage("assistant", before, tool_calls=calls))
            messages.append(ChatMessage("tool", "", tool_results=results))
            written = ""
        else:
            written = before + "".join(_written(step) for step in batch)
    rest = written + text[said:]
    if rest.strip():
        messages.append(ChatMessage("assistant", rest))
    return messages


def _call_id(step: StoredStep) -> str:
    return step.call_id or f"call_{str(step.id).replace('-', '')}"


def _call(step: StoredStep) -> ToolCall:
    return ToolCall(_call_id(step), step.tool, step.arguments, step.signature)


def _result(step: StoredStep) -> ToolResult:
    content = step.result or (UNFINISHED if step.state == "running" else "")
    return ToolResult(_call_id(step), step.tool, content, step.state != "done")


def _written(step: StoredStep) -> str:
    """A call and its result as text, for a provider that cannot take the call's blocks."""
    result = _result(step)
    outcome = "Error" if result.is_error else "Result"
    return f"\n\n[Tool call: {step.tool} {step.arguments}]\n[{outcome}: {result.content}]\n\n"
