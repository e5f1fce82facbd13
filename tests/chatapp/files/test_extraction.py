"""Text out of documents, cut to fileTokenLimit; written by the libraries that read them."""

from __future__ import annotations

import io
import itertools

import docx
import openpyxl
import pptx
import pytest
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from chatapp.files import extraction
from chatapp.files.extraction import DOCX, ODS, PPTX, XLSX, NoText
from tests.chatapp.files.conftest import ods_bytes, ods_cell


def saved(document) -> io.BytesIO:
    out = io.BytesIO()
    document.save(out)
    out.seek(0)
    return out


def test_word_with_its_tables() -> None:
    document = docx.Document()
    document.add_paragraph("Quarterly plan")
    document.add_table(rows=1, cols=2).rows[0].cells[0].text = "Q1"
    text, count = extraction.extract(saved(document), DOCX, 1000)
    assert text == "Quarterly plan\nQ1" and count > 0


def test_excel_sheets_as_csv_rows() -> None:
    book = openpyxl.Workbook()
    book.active.title = "Sales"
    book.active.append(["north", 12])
    text, _ = extraction.extract(saved(book), XLSX, 1000)
    assert text == "# Sales\nnorth,12"


def test_opendocument_sheets_as_csv_rows() -> None:
    cells = ods_cell("north") + ods_cell("12", 'office:value-type="float"', 'office:value="12"')
    sheet = (
        f'<table:table table:name="Sales"><table:table-row>{cells}</table:table-row></table:table>'
    )
    text, _ = extraction.extract(io.BytesIO(ods_bytes(sheet)), ODS, 1000)
    assert text == "# Sales\nnorth,12"


def test_powerpoint_slides() -> None:
    deck = pptx.Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[5])
    slide.shapes.title.text = "Roadmap"
    text, _ = extraction.extract(saved(deck), PPTX, 1000)
    assert text == "# Slide 1\nRoadmap"


def pdf_with_text(*pages: str) -> io.BytesIO:
    writer = PdfWriter()
    font = DictionaryObject(
        {NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
         NameObject("/BaseFont"): NameObject("/Helvetica")}
    )  # fmt: skip
    resources = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
    )
    for words in pages:
        page = writer.add_blank_page(width=300, height=100)
        page[NameObject("/Resources")] = resources
        stream = DecodedStreamObject()
        stream.set_data(f"BT /F1 12 Tf 10 50 Td ({words}) Tj ET".encode())
        page[NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    out.seek(0)
    return out


def test_pdf_text() -> None:
    text, _ = extraction.extract(pdf_with_text("Hello from page one"), "application/pdf", 1000)
    assert text == "Hello from page one"


def test_a_long_pdf_is_cut_where_its_whole_text_would_be() -> None:
    pages = [f"Page {n}: the quarterly figures rose in every region." for n in range(40)]
    whole, _ = extraction.extract(pdf_with_text(*pages), "application/pdf", 10**6)
    for limit in (1, 13, 50, 200):
        text, count = extraction.extract(pdf_with_text(*pages), "application/pdf", limit)
        assert (text, count) == extraction.cut(whole, limit)


def test_pieces_are_read_only_until_the_limit_and_one_more() -> None:
    read: list[int] = []

    def pages():
        for number in itertools.count():
            read.append(number)
            yield "word " * 10 + "\n\n"  # 11 tokens

    text = extraction.gather(pages(), 30)
    assert read == [0, 1, 2, 3] and text == ("word " * 10 + "\n\n") * 4


def test_text_is_cut_to_the_token_limit() -> None:
    text, count = extraction.extract(io.BytesIO(b"word " * 500), "text/plain", 10)
    assert count == 10 and len(text.split()) <= 10


def test_a_broken_document_says_so() -> None:
    with pytest.raises(NoText, match="cannot be read"):
        extraction.extract(io.BytesIO(b"PK\x03\x04 not a zip"), DOCX, 100)


def test_other_types_have_no_text() -> None:
    assert extraction.extract(io.BytesIO(b"\x89PNG"), "image/png", 100) == ("", 0)
