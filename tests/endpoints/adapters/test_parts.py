"""Images and documents on every wire format, through the real SDKs against the mock.

The mock answers `echo-parts:` with one line per part of the last user message,
`kind mime bytes sha256`: the bytes arrived whole, in order, as the right kind.
"""

from __future__ import annotations

import hashlib
import io

import pytest
from PIL import Image
from pypdf import PdfWriter

from endpoints import requests
from endpoints.adapters.base import ChatMessage, DocumentPart, ImagePart, RequestContext, TextPart
from endpoints.registry import adapter_class

from .conftest import KINDS, MODELS
from .helpers import run


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (3, 2), (10, 200, 30)).save(out, "PNG")
    return out.getvalue()


def pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def line(kind: str, mime: str, data: bytes) -> str:
    return f"{kind} {mime} {len(data)} {hashlib.sha256(data).hexdigest()}"


@pytest.mark.parametrize("kind", KINDS)
async def test_every_wire_format_carries_images_and_documents(kind, endpoint_for, mock_provider):
    endpoint = endpoint_for(kind)
    image, document, question = png(), pdf(), "echo-parts: what is this?"
    parts = (
        TextPart(question),
        ImagePart("image/png", image, "dot.png"),
        DocumentPart("application/pdf", document, "Report 2026.pdf"),
    )
    messages = (
        ChatMessage("user", "earlier"),
        ChatMessage("assistant", "ok"),
        ChatMessage("user", parts),
    )
    request = requests.build(endpoint, MODELS[kind], messages, None, RequestContext())
    outcome = await run(adapter_class(endpoint.kind)(endpoint, max_retries=0), request)
    assert outcome.error is None, outcome.error
    assert outcome.text.splitlines() == [
        line("text", "text/plain", question.encode()),
        line("image", "image/png", image),
        line("document", "application/pdf", document),
    ]


@pytest.mark.parametrize("kind", KINDS)
async def test_plain_text_messages_travel_as_before(kind, endpoint_for):
    endpoint = endpoint_for(kind)
    messages = (ChatMessage("user", "echo-parts: hi"),)
    request = requests.build(endpoint, MODELS[kind], messages, None, RequestContext())
    outcome = await run(adapter_class(endpoint.kind)(endpoint, max_retries=0), request)
    assert outcome.text == line("text", "text/plain", b"echo-parts: hi")
