"""Deterministic replies: the same prompt always gets the same chunks.

A last user message starting `echo-parts:` is answered with one line per part
it carried, `kind mime bytes sha256` (endpoints/mock/parts.py).
A last user message `echo: X` is answered with exactly X (one space after the
colon removed), so tests can push exact Markdown, HTML or Unicode through the
whole stack. Any other prompt is answered with its own words, cycled to
`reply_tokens` words.

A reply stops at the request's `max_tokens` (chunks) with finish `length`, and a last
user message containing `filter-me` is cut after its first chunk with finish
`content_filter`, so the finish reasons can be followed through the stack.

Tool use is scripted: each line of the last user message that reads
`tool: NAME {JSON arguments}` (or `tools: A {...}; B {...}` for parallel calls)
is one step. The first reply calls the first line's tools; each time a message of
tool results follows, the next line's; once the lines are used up the reply is
`result: ` and the latest results' text in call order, joined by `; `. The
arguments go out exactly as written, JSON or not.

A request that forces a tool (its wire's `tool_choice`) is answered with a call of that
tool whatever the script says (the script's own call of it, if this step has one; else
arguments made from its schema: the last user message for each required string), as a
provider must; a client that keeps forcing after the results never gets an answer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .parts import Seen, describe

ECHO = "echo:"
ECHO_PARTS = "echo-parts:"
MAX_PIECE = 8  # characters; long words are cut so every reply comes in several chunks
TOOL, TOOLS = "tool:", "tools:"
RESULT = "result: "
FILTER_WORD = "filter-me"  # a reply to a message containing it is cut by the "content filter"
# `;` then the next call's name, before its arguments, another `;` or the end of the line.
NEXT_CALL = re.compile(r";\s*(?=[A-Za-z_][\w.-]*\s*(?:[{\[;]|$))")


@dataclass(frozen=True)
class Forced:
    """The tool a request's `tool_choice` forces, with its arguments' JSON Schema."""

    name: str
    schema: Mapping[str, Any] = field(default_factory=dict)

    def arguments(self, text: str) -> str:
        """`text` for each required string argument: what a model asked to call it might send."""
        properties = self.schema.get("properties") or {}
        required = [n for n in self.schema.get("required") or () if n in properties]
        strings = [n for n in required if (properties[n] or {}).get("type") == "string"]
        return json.dumps(dict.fromkeys(strings, text))


def forced(name: Any, tools: Mapping[str, Any]) -> Forced | None:
    """The Forced tool `name` among a request's `tools` (name -> schema); None when the
    choice names no tool offered (a provider would refuse it: the mock just ignores it)."""
    if not isinstance(name, str) or name not in tools:
        return None
    schema = tools[name]
    return Forced(name, schema if isinstance(schema, dict) else {})


@dataclass(frozen=True)
class Prompt:
    """What a wire format's request boils down to."""

    model: str
    messages: tuple[tuple[str, str], ...]  # (role, text), system first if any; "tool": results
    stream: bool
    reasoning: bool  # the request asked for thinking output
    results: tuple[str, ...] = ()  # the tool results the last message carries, in call order
    parts: tuple[Seen, ...] = ()  # the last user message's parts (endpoints/mock/parts.py)
    max_tokens: int | None = None  # the request's output limit, in chunks
    forced: Forced | None = None  # the tool its `tool_choice` forces

    @property
    def last_user_text(self) -> str:
        return next((text for role, text in reversed(self.messages) if role == "user"), "")

    @property
    def steps(self) -> int:
        """Messages of tool results since the last user message."""
        count = 0
        for role, _ in reversed(self.messages):
            if role == "user":
                break
            count += role == "tool"
        return count


@dataclass(frozen=True)
class Call:
    """A tool call the mock makes; `arguments` is the text the script gave."""

    id: str
    name: str
    arguments: str

    @property
    def pieces(self) -> tuple[str, ...]:
        """The arguments cut as they stream (several chunks, losslessly)."""
        text = self.arguments
        return tuple(text[i : i + MAX_PIECE] for i in range(0, len(text), MAX_PIECE)) or ("",)


@dataclass(frozen=True)
class Plan:
    """The reply, cut into the chunks the mock streams."""

    text: tuple[str, ...]
    reasoning: tuple[str, ...]
    prompt_tokens: int
    completion_tokens: int
    calls: tuple[Call, ...] = ()
    finish: str = "stop"  # stop, length, content_filter or tool_calls; each wire names it

    @property
    def full_text(self) -> str:
        return "".join(self.text)

    @property
    def full_reasoning(self) -> str:
        return "".join(self.reasoning)


def script(text: str) -> list[str]:
    """The tool lines of a user message, one step each."""
    return [line.strip() for line in text.splitlines() if line.startswith((TOOL, TOOLS))]


def calls(prompt: Prompt, prefix: str = "call_") -> tuple[Call, ...]:
    """The calls of this step of the script (none once its lines are used up); the forced
    tool's, when the request forces one."""
    scripted = _scripted(prompt, prefix)
    must = prompt.forced
    if must is None:
        return scripted
    own = tuple(call for call in scripted if call.name == must.name)
    step = prompt.steps
    return own or (Call(f"{prefix}{step}_0", must.name, must.arguments(prompt.last_user_text)),)


def _scripted(prompt: Prompt, prefix: str) -> tuple[Call, ...]:
    lines, step = script(prompt.last_user_text), prompt.steps
    if step >= len(lines):
        return ()
    line = lines[step]
    rest = line.removeprefix(TOOLS) if line.startswith(TOOLS) else line.removeprefix(TOOL)
    found = []
    for i, item in enumerate(NEXT_CALL.split(rest.strip()) if rest.strip() else []):
        name, _, arguments = item.strip().partition(" ")
        found.append(Call(f"{prefix}{step}_{i}", name, arguments.strip() or "{}"))
    return tuple(found)


def reply_text(prompt: Prompt, reply_tokens: int) -> str:
    if prompt.results:
        return RESULT + "; ".join(prompt.results)
    last = prompt.last_user_text
    if last.startswith(ECHO_PARTS):
        return describe(prompt.parts)
    if last.startswith(ECHO):
        rest = last[len(ECHO) :]
        return rest[1:] if rest.startswith(" ") else rest
    words = re.findall(r"\w+", last.lower()) or ["mock"]
    return " ".join(words[i % len(words)] for i in range(max(1, reply_tokens)))


def chunks(text: str) -> tuple[str, ...]:
    """Cut text into pieces (a word with its leading space, long words split), losslessly."""
    pieces: list[str] = []
    for word in re.findall(r"\s*\S+|\s+", text):
        pieces.extend(word[i : i + MAX_PIECE] for i in range(0, len(word), MAX_PIECE))
    if len(pieces) == 1 and len(text) > 1:
        half = len(text) // 2
        pieces = [text[:half], text[half:]]
    return tuple(pieces)


def plan(prompt: Prompt, reply_tokens: int, prefix: str = "call_") -> Plan:
    scripted = calls(prompt, prefix)
    text = () if scripted else chunks(reply_text(prompt, reply_tokens))
    finish = "tool_calls" if scripted else "stop"
    if text and FILTER_WORD in prompt.last_user_text:
        text, finish = text[:1], "content_filter"
    if prompt.max_tokens is not None and len(text) > prompt.max_tokens:
        text, finish = text[: max(0, prompt.max_tokens)], "length"
    reasoning = chunks(f"Thinking about {prompt.model}: {len(prompt.messages)} messages.")
    prompt_words = sum(len(content.split()) + 3 for _, content in prompt.messages)
    return Plan(
        text=text,
        reasoning=reasoning if prompt.reasoning else (),
        prompt_tokens=prompt_words,
        completion_tokens=len(text)
        + sum(len(call.pieces) for call in scripted)
        + (len(reasoning) if prompt.reasoning else 0),
        calls=scripted,
        finish=finish,
    )


def conversation(
    entries: list[tuple[str, str, tuple[str, ...] | None]],
) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    """(role, text, tool results or None) per message → the Prompt's messages and results.

    A message carrying tool results becomes role "tool"; consecutive ones (OpenAI sends
    a message per result) are one step."""
    messages: list[tuple[str, str]] = []
    results: list[str] = []
    for role, text, carried in entries:
        if carried is None:
            messages.append((role, text))
            results = []
            continue
        if not (messages and messages[-1][0] == "tool" and results):
            messages.append(("tool", ""))
            results = []
        results.extend(carried)
        messages[-1] = ("tool", " ".join(results))
    last_is_tool = bool(messages) and messages[-1][0] == "tool"
    return tuple(messages), tuple(results) if last_is_tool else ()


def last_user(messages: object) -> dict:
    """The last message of role "user" of a chat body's list (OpenAI, Anthropic, Bedrock)."""
    found = messages if isinstance(messages, list) else []
    users = [m for m in found if isinstance(m, dict) and m.get("role") == "user"]
    return users[-1] if users else {}


def text_of(content: object) -> str:
    """The text of a message `content`: a string or a list of parts with `text`."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            part.get("text", "") if isinstance(part, dict) else str(part) for part in content
        )
    return ""


def max_tokens(value: object) -> int | None:
    """A request's output limit, when it is a whole number."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None
