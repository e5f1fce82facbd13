"""ChatGPT's data export (`conversations.json`): a list of conversations, each a `mapping`
tree of nodes (branches kept). As LibreChat's import does: system nodes are left
out and their children hang from the nearest kept ancestor; tool nodes are kept
as assistant messages; code and execution output become Markdown; web citations
become links. Nodes with no text (hidden context, empty roots) are passed over
the same way as system nodes.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone

from chatapp.importer.rows import Parsed, header, row


def read(data: list[Any]) -> Parsed:
    parsed = Parsed()
    for index, item in enumerate(data):
        name = f"conversation #{index + 1}"
        if not isinstance(item, dict) or not isinstance(item.get("mapping"), dict):
            parsed.skipped.append(f"{name}: not a ChatGPT conversation (no mapping)")
            continue
        name = f"“{item.get('title') or name}”"
        rows = _rows(item)
        if not rows:
            parsed.skipped.append(f"{name}: no messages")
            continue
        model = next((r["model"] for r in reversed(rows) if r["model"]), "")
        title = str(item.get("title") or "Imported from ChatGPT")
        parsed.conversations.append((header(title, model), rows))
    return parsed


def _rows(conversation: dict) -> list[dict]:
    mapping: dict[str, Any] = conversation["mapping"]
    started = _when(conversation.get("create_time")) or timezone.now()
    default_model = str(conversation.get("default_model_slug") or "")
    kept: dict[str, str] = {}  # node id → its text, for the nodes that become messages
    for node_id, node in mapping.items():
        message = node.get("message") if isinstance(node, dict) else None
        if isinstance(message, dict) and _role(message) not in (None, "system"):
            text = _text(message)
            if text.strip():
                kept[node_id] = text
    rows = []
    for node_id, text in kept.items():
        message = mapping[node_id]["message"]
        model = str(_object(message.get("metadata")).get("model_slug") or default_model)
        from_user = _role(message) == "user"
        created = _when(message.get("create_time")) or started
        parent = _kept_ancestor(mapping, mapping[node_id].get("parent"), kept)
        rows.append(row(node_id, parent, from_user, text, model, created))
    return rows


def _role(message: dict) -> str | None:
    author = message.get("author")
    return author.get("role") if isinstance(author, dict) else None


def _kept_ancestor(mapping: dict, parent: Any, kept: dict) -> str | None:
    seen: set[str] = set()
    while isinstance(parent, str) and parent in mapping and parent not in seen:
        if parent in kept:
            return parent
        seen.add(parent)
        parent = _object(mapping[parent]).get("parent")
    return None


def _text(message: dict) -> str:
    content = message.get("content")
    if not isinstance(content, dict):
        return ""
    kind, parts = content.get("content_type"), content.get("parts")
    if kind == "text" and isinstance(parts, list):
        text = " ".join(part for part in parts if isinstance(part, str))
        return text if _role(message) == "user" else _cite(message, text)
    if kind == "code":
        return f"```{content.get('language') or ''}\n{content.get('text') or ''}\n```"
    if kind == "execution_output":
        return f"Execution Output:\n> {content.get('text') or ''}"
    if isinstance(parts, list) and any(isinstance(part, str) for part in parts):
        return " ".join(part for part in parts if isinstance(part, str)).strip()
    shown = {key: value for key, value in content.items() if key != "content_type"}
    return f"```json\n{json.dumps(shown, indent=2, ensure_ascii=False)}\n```" if shown else ""


def _cite(message: dict, text: str) -> str:
    """Web citations (`start_ix`…`end_ix` of a marker) replaced by Markdown links, last first."""
    citations = _object(message.get("metadata")).get("citations")
    usable = [
        c
        for c in (citations if isinstance(citations, list) else [])
        if isinstance(c, dict)
        and _object(c.get("metadata")).get("type") == "webpage"
        and isinstance(c.get("start_ix"), int)
        and isinstance(c.get("end_ix"), int)
        and 0 <= c["start_ix"] < c["end_ix"] <= len(text)
    ]
    for citation in sorted(usable, key=lambda c: c["start_ix"], reverse=True):
        source = citation["metadata"]
        link = f" ([{source.get('title') or source.get('url')}]({source.get('url')}))"
        text = text[: citation["start_ix"]] + link + text[citation["end_ix"] :]
    return text


def _when(value: Any) -> datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):  # past the year 9999
            return None
    return None


def _object(value: Any) -> dict:
    """A field that should hold an object; anything else reads as empty."""
    return value if isinstance(value, dict) else {}
