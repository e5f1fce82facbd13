"""The parts of a user message as each wire format carries them, for `echo-parts:`.

A `Seen` part is (kind, mime, bytes): `text`, `image` or `document`. The mock
answers a last user message starting with `echo-parts:` with one line per part
it received, `kind mime bytes sha256`, which proves the bytes arrived whole.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any

Seen = tuple[str, str, bytes]
BEDROCK_TYPES = {
    "png": "image/png", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp",
    "pdf": "application/pdf", "txt": "text/plain", "md": "text/markdown", "csv": "text/csv",
    "html": "text/html",
}  # fmt: skip


def describe(parts: tuple[Seen, ...]) -> str:
    return "\n".join(
        f"{kind} {mime} {len(data)} {hashlib.sha256(data).hexdigest()}"
        for kind, mime, data in parts
    )


def _text(text: Any) -> Seen:
    return ("text", "text/plain", str(text).encode())


def _decode(text: Any) -> bytes:
    """Standard or URL-safe base64 (google-genai sends the URL-safe alphabet)."""
    text = str(text).replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        return b""


def _data_url(url: Any) -> tuple[str, bytes]:
    head, _, data = str(url).partition(",")
    mime = head.removeprefix("data:").removesuffix(";base64")
    return mime, _decode(data)


def openai(content: Any) -> tuple[Seen, ...]:
    if isinstance(content, str):
        return (_text(content),)
    found: list[Seen] = []
    for part in content if isinstance(content, list) else ():
        kind = part.get("type") if isinstance(part, dict) else None
        if kind == "text":
            found.append(_text(part.get("text", "")))
        elif kind == "image_url":
            found.append(("image", *_data_url((part.get("image_url") or {}).get("url", ""))))
        elif kind == "file":
            found.append(("document", *_data_url((part.get("file") or {}).get("file_data", ""))))
    return tuple(found)


def anthropic(content: Any) -> tuple[Seen, ...]:
    if isinstance(content, str):
        return (_text(content),)
    found: list[Seen] = []
    for block in content if isinstance(content, list) else ():
        kind = block.get("type") if isinstance(block, dict) else None
        if kind == "text":
            found.append(_text(block.get("text", "")))
        elif kind in ("image", "document"):
            source = block.get("source") or {}
            found.append((kind, str(source.get("media_type")), _decode(source.get("data"))))
    return tuple(found)


def gemini(parts: Any) -> tuple[Seen, ...]:
    found: list[Seen] = []
    for part in parts if isinstance(parts, list) else ():
        if not isinstance(part, dict):
            continue
        if "text" in part:
            found.append(_text(part["text"]))
        elif isinstance(blob := part.get("inlineData") or part.get("inline_data"), dict):
            mime = str(blob.get("mimeType") or blob.get("mime_type"))
            kind = "image" if mime.startswith("image/") else "document"
            found.append((kind, mime, _decode(blob.get("data"))))
    return tuple(found)


def bedrock(content: Any) -> tuple[Seen, ...]:
    found: list[Seen] = []
    for block in content if isinstance(content, list) else ():
        if not isinstance(block, dict):
            continue
        if "text" in block:
            found.append(_text(block["text"]))
        for kind in ("image", "document"):
            if isinstance(item := block.get(kind), dict):
                mime = BEDROCK_TYPES.get(str(item.get("format")), str(item.get("format")))
                found.append((kind, mime, _decode((item.get("source") or {}).get("bytes"))))
    return tuple(found)
