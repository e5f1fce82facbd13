"""A LibreChat message's body: `text` (0.7) or a `content` array of parts (0.8).

Parts Parley keeps: `text` (a string, or `{value}` in older agent messages) and
`think` (reasoning). Other parts (tool calls, images, files, agent updates)
have no place on a Parley message yet; they are named so the report counts them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chatapp.importer.values import Unreadable


@dataclass
class Body:
    text: str = ""
    reasoning: str = ""
    dropped: list[str] = field(default_factory=list)  # the types of the parts not kept


def _value(part: dict, key: str) -> str | None:
    value = part.get(key)
    if isinstance(value, dict):
        value = value.get("value")
    return value if isinstance(value, str) else None


def read(document: dict[str, Any]) -> Body:
    text, parts = document.get("text"), document.get("content")
    if text is not None and not isinstance(text, str):
        raise Unreadable("text", f"not text ({type(text).__name__})")
    if parts is None:
        return Body(text=text or "")
    if not isinstance(parts, list):
        raise Unreadable("content", f"not a list ({type(parts).__name__})")
    body, texts, thoughts = Body(), [], []
    for part in parts:
        kind = part.get("type") if isinstance(part, dict) else None
        if kind == "text" and _value(part, "text") is not None:
            texts.append(_value(part, "text"))
        elif kind == "think" and _value(part, "think") is not None:
            thoughts.append(_value(part, "think"))
        elif kind == "error" and _value(part, "error") is not None:
            texts.append(_value(part, "error"))
        else:
            body.dropped.append(str(kind or "malformed"))
    body.text = "\n".join(t for t in texts if t) or (text or "")
    body.reasoning = "\n".join(t for t in thoughts if t)
    return body
