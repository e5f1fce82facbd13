"""Chatbot UI's export (`{version, history, folders, prompts}`): linear conversations.

Each history item becomes a conversation with its model, temperature and system
prompt; folders and saved prompts have no place in Parley and are reported.
Chatbot UI keeps no timestamps: messages are dated at import, one microsecond
apart so their order holds.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.utils import timezone

from chatapp.importer import params
from chatapp.importer.rows import Parsed, header, row


def read(data: dict[str, Any]) -> Parsed:
    parsed = Parsed()
    for index, item in enumerate(data["history"]):
        if not isinstance(item, dict) or not isinstance(item.get("messages"), list):
            parsed.skipped.append(f"conversation #{index + 1}: no messages list")
            continue
        title = str(item.get("name") or "Imported from Chatbot UI")
        model = item.get("model") if isinstance(item.get("model"), dict) else {}
        model_id = str(model.get("id") or "")
        rows = _rows(item["messages"], model_id)
        if not rows:
            parsed.skipped.append(f"“{title}”: no messages")
            continue
        settings = params.clean("openAI", {"temperature": item.get("temperature")})
        prompt = item.get("prompt") if isinstance(item.get("prompt"), str) else ""
        parsed.conversations.append((header(title, model_id, settings, prompt), rows))
    for kind in ("folders", "prompts"):
        if isinstance(data.get(kind), list) and data[kind]:
            parsed.skipped.append(f"{len(data[kind])} {kind}: not carried into Parley")
    return parsed


def _rows(messages: list[Any], model: str) -> list[dict]:
    start, rows, parent = timezone.now(), [], None
    for message in messages:
        if not isinstance(message, dict) or message.get("role") not in ("user", "assistant"):
            continue
        text = message.get("content")
        if not isinstance(text, str):
            continue
        key = str(uuid.uuid4())
        created = start + timedelta(microseconds=len(rows))
        rows.append(row(key, parent, message["role"] == "user", text, model, created))
        parent = key
    return rows
