"""What an exported conversation becomes: the (header, rows) pair chatapp/transfer.py
builds for its own formats, shared by the readers of other apps' exports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

Conversation = tuple[dict[str, Any], list[dict[str, Any]]]  # (header, message rows)


@dataclass
class Parsed:
    conversations: list[Conversation] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # one line per thing left out


def header(title: str, model: str, parameters: dict | None = None, prompt: str = "") -> dict:
    return {
        "title": title[:200],
        "endpoint": "openAI",  # both apps only spoke to OpenAI
        "model": model[:200],
        "parameters": parameters or {},
        "system_prompt": prompt,
    }


def row(
    key: str, parent: str | None, from_user: bool, text: str, model: str, created_at: datetime
) -> dict[str, Any]:
    return {
        "key": key,
        "parent": parent,
        "role": "user" if from_user else "assistant",
        "text": text,
        "reasoning": "",
        "endpoint": "openAI",
        "model": "" if from_user else model[:200],
        "state": "complete",
        "error": "",
        "prompt_tokens": 0,
        "completion_tokens": 0,
        "created_at": created_at,
    }
