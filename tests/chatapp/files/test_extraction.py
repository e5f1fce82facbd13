"""Text out of documents, cut to fileTokenLimit; written by the libraries that read them."""

from __future__ import annotations

import io

import docx
import openpyxl
import pptx
import pytest
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from chatapp.files import extraction
from chatapp.files.extraction import DOCX, PPTX, XLSX, NoText


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


def test_powerpoint_slides() -> None:
    deck = pptx.Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[5])
    slide.shapes.title.text = "Roadmap"
    text, _ = extraction.extract(saved(deck), PPTX, 1000)
    assert text == "# Slide 1\nRoadmap"


def pdf_with_text(words: str) -> io.BytesIO:
    writer = PdfWriter()
    page = writer.add_blank_page(width=300, height=100)
    font = DictionaryObject(
        {NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
         NameObject("/BaseFont"): NameObject("/Helvetica")}
    )  # fmt: skip
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
    )
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


def test_text_is_cut_to_the_token_limit() -> None:
    text, count = extraction.extract(io.BytesIO(b"word " * 500), "text/plain", 10)
    assert count == 10 and len(text.split()) <= 10


def test_a_broken_document_says_so() -> None:
    with pytest.raises(NoText, match="cannot be read"):
        extraction.extract(io.BytesIO(b"PK\x03\x04 not a zip"), DOCX, 100)


def test_other_types_have_no_text() -> None:
    assert extraction.extract(io.BytesIO(b"\x89PNG"), "image/png", 100) == ("", 0)
