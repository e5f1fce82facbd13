"""Images open within Pillow's pixel limit; PDFs parse."""

from __future__ import annotations

import io

import pytest

from chatapp.files.inspection import Unreadable, check
from tests.chatapp.files.conftest import bomb_png, pdf_bytes, png_bytes


def test_a_real_png_and_pdf_pass() -> None:
    check(io.BytesIO(png_bytes()), "image/png")
    check(io.BytesIO(pdf_bytes(3)), "application/pdf")


def test_a_decompression_bomb_is_refused_from_its_header() -> None:
    with pytest.raises(Unreadable, match="too many pixels"):
        check(io.BytesIO(bomb_png()), "image/png")


def test_a_truncated_png_is_unreadable() -> None:
    with pytest.raises(Unreadable, match="image cannot be read"):
        check(io.BytesIO(png_bytes()[:40]), "image/png")


def test_a_pdf_that_does_not_parse_is_unreadable() -> None:
    broken = b"%PDF-1.7\n" + b"garbage " * 100 + b"\n%%EOF\n"
    with pytest.raises(Unreadable, match="PDF"):
        check(io.BytesIO(broken), "application/pdf")


def test_the_stream_is_rewound_after_the_check() -> None:
    stream = io.BytesIO(png_bytes())
    stream.seek(10)
    check(stream, "image/png")
    assert stream.tell() == 0
