"""Files other chat apps export, read into the conversations chatapp/transfer.py creates.

`read(data)` recognises ChatGPT's `conversations.json` (chatgpt.py) and Chatbot
UI's export (chatbotui.py), the two LibreChat's own import takes besides its
own format, and returns each conversation as the (header, rows) pair that
transfer.py builds for its formats, with what was left out and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

Conversation = tuple[dict[str, Any], list[dict[str, Any]]]  # (header, message rows)


@dataclass
class Parsed:
    conversations: list[Conversation] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # one line per thing left out


def read(data: Any) -> Parsed | None:
    """The conversations of a ChatGPT or Chatbot UI export, or None for any other file."""
    from chatapp.importer import chatbotui, chatgpt

    if isinstance(data, list):
        return chatgpt.read(data)
    if isinstance(data, dict) and "version" in data and isinstance(data.get("history"), list):
        return chatbotui.read(data)
    return None


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
