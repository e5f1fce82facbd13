"""The type comes from the bytes; the name only picks among text types."""

from __future__ import annotations

import io
import zipfile

import pytest

from chatapp.files.sniff import is_text, sniff
from tests.chatapp.files.conftest import ODS_MIME, ods_bytes, pdf_bytes, png_bytes


def office(kind: str) -> bytes:
    """The first entries of an Office file, as Word, Excel and PowerPoint write them."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{kind}/document.xml", "<x/>")
    return out.getvalue()


def test_a_pdf_named_png_is_a_pdf() -> None:
    assert sniff(pdf_bytes(), "photo.png") == "application/pdf"


def test_a_png_named_pdf_is_a_png() -> None:
    assert sniff(png_bytes(), "report.pdf") == "image/png"


@pytest.mark.parametrize(
    ("kind", "mime"),
    [
        ("word", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("xl", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("ppt", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    ],
)
def test_office_files_by_their_zip_entries(kind: str, mime: str) -> None:
    assert sniff(office(kind), "anything.bin") == mime


def test_an_opendocument_spreadsheet_by_its_mimetype_entry() -> None:
    assert sniff(ods_bytes('<table:table table:name="S"/>'), "sheet.xlsx") == ODS_MIME


@pytest.mark.parametrize(
    ("name", "mime"),
    [
        ("notes.md", "text/markdown"),
        ("table.csv", "text/csv"),
        ("main.py", "text/x-python"),
        ("README", "text/plain"),
        ("shout.TXT", "text/plain"),
    ],
)
def test_text_takes_its_subtype_from_the_name(name: str, mime: str) -> None:
    assert sniff("héllo, wörld\n".encode(), name) == mime


def test_binary_noise_and_nothing_are_unrecognised() -> None:
    assert sniff(bytes(range(256)) * 4, "data.txt") is None
    assert sniff(b"", "empty.txt") is None


def test_a_character_cut_at_the_end_of_the_head_is_still_text() -> None:
    assert is_text("añb".encode()[:2])
    assert not is_text(b"\xff\xfe\x00a")
