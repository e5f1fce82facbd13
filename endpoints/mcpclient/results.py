"""An MCP tool's result as Parley passes it on: text for the model, the rest named.

Models read text. Text content and embedded text resources are kept in order; images,
audio, binary resources and links are named in a line of their own, so the model and the
user know something was left out. A result with nothing textual, or past the size a
message may have, is an error output, never a crash.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import mcp_types

MAX_RESULT_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class Answer:
    """A tool's result as Parley keeps it (chatapp.tools.base.ToolOutput's fields)."""

    text: str
    is_error: bool = False
    data: Mapping[str, Any] = field(default_factory=dict)


def output(result: mcp_types.CallToolResult) -> Answer:
    size = sum(_size(block) for block in result.content)
    if size > MAX_RESULT_BYTES:
        return Answer(
            f"The tool returned {size / 1e6:.1f} MB, more than the "
            f"{MAX_RESULT_BYTES // (1024 * 1024)} MB Parley accepts from a tool.",
            is_error=True,
        )
    texts, omitted = [], []
    for block in result.content:
        text = _text(block)
        if text is not None:
            texts.append(text)
        else:
            omitted.append(_name(block))
    if not result.content and result.structured_content is not None:
        texts.append(json.dumps(result.structured_content, ensure_ascii=False))
    notes = [f"[{item} omitted: Parley passes only text to the model]" for item in omitted]
    if not texts and omitted:
        message = "The tool returned no text, only " + ", ".join(omitted) + "."
        return Answer(message, is_error=True, data={"omitted": omitted})
    data = {"omitted": omitted} if omitted else {}
    return Answer("\n\n".join(texts + notes), is_error=bool(result.is_error), data=data)


def _text(block: mcp_types.ContentBlock) -> str | None:
    if isinstance(block, mcp_types.TextContent):
        return block.text
    if isinstance(block, mcp_types.EmbeddedResource) and isinstance(
        block.resource, mcp_types.TextResourceContents
    ):
        return block.resource.text
    return None


def _name(block: mcp_types.ContentBlock) -> str:
    if isinstance(block, mcp_types.ImageContent | mcp_types.AudioContent):
        return f"{block.type} ({block.mime_type}, {len(block.data) * 3 // 4} bytes)"
    if isinstance(block, mcp_types.ResourceLink):
        return f"a link to {block.uri}"
    if isinstance(block, mcp_types.EmbeddedResource):
        return f"a binary resource ({block.resource.uri})"
    return f"{getattr(block, 'type', 'unknown')} content"


def _size(block: mcp_types.ContentBlock) -> int:
    if isinstance(block, mcp_types.TextContent):
        return len(block.text)
    if isinstance(block, mcp_types.ImageContent | mcp_types.AudioContent):
        return len(block.data)
    if isinstance(block, mcp_types.EmbeddedResource):
        resource = block.resource
        return len(getattr(resource, "text", "") or getattr(resource, "blob", ""))
    return 0
