"""Deterministic replies: the same prompt always gets the same chunks.

A last user message `echo: X` is answered with exactly X (one space after the
colon removed), so tests can push exact Markdown, HTML or Unicode through the
whole stack. Any other prompt is answered with its own words, cycled to
`reply_tokens` words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ECHO = "echo:"
MAX_PIECE = 8  # characters; long words are cut so every reply comes in several chunks


@dataclass(frozen=True)
class Prompt:
    """What a wire format's request boils down to."""

    model: str
    messages: tuple[tuple[str, str], ...]  # (role, text), system first if any
    stream: bool
    reasoning: bool  # the request asked for thinking output

    @property
    def last_user_text(self) -> str:
        return next((text for role, text in reversed(self.messages) if role == "user"), "")


@dataclass(frozen=True)
class Plan:
    """The reply, cut into the chunks the mock streams."""

    text: tuple[str, ...]
    reasoning: tuple[str, ...]
    prompt_tokens: int
    completion_tokens: int

    @property
    def full_text(self) -> str:
        return "".join(self.text)

    @property
    def full_reasoning(self) -> str:
        return "".join(self.reasoning)


def reply_text(prompt: Prompt, reply_tokens: int) -> str:
    last = prompt.last_user_text
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


def plan(prompt: Prompt, reply_tokens: int) -> Plan:
    text = chunks(reply_text(prompt, reply_tokens))
    reasoning = chunks(f"Thinking about {prompt.model}: {len(prompt.messages)} messages.")
    prompt_words = sum(len(content.split()) + 3 for _, content in prompt.messages)
    return Plan(
        text=text,
        reasoning=reasoning if prompt.reasoning else (),
        prompt_tokens=prompt_words,
        completion_tokens=len(text) + (len(reasoning) if prompt.reasoning else 0),
    )


def text_of(content: object) -> str:
    """The text of a message `content`: a string or a list of parts with `text`."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            part.get("text", "") if isinstance(part, dict) else str(part) for part in content
        )
    return ""
