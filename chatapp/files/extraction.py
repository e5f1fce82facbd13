"""A document's text, for models that cannot read the file itself.

PDF (pypdf), Word (python-docx), Excel and OpenDocument spreadsheets
(openpyxl reads .xlsx; .ods is not read), PowerPoint (python-pptx), and every
text type (plain, Markdown, CSV, code, JSON, XML) decoded as UTF-8. The text
is cut to `fileConfig.fileTokenLimit` tokens (o200k_base) and headed by the
file's name when it is sent. Extraction runs in the upload's worker thread
(Django runs the sync upload view off the event loop), once per file.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO

from endpoints import tokens

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
MAX_BYTES_PER_TOKEN = 16
TEXT_APPLICATIONS = {"application/json", "application/xml", "application/typescript"}


class NoText(Exception):
    """The file's text cannot be read (a broken document)."""


def readable(mime: str) -> bool:
    return mime in READERS or is_text(mime)


def is_text(mime: str) -> bool:
    return mime.startswith("text/") or mime in TEXT_APPLICATIONS


def extract(stream: IO[bytes], mime: str, token_limit: int) -> tuple[str, int]:
    """(text cut to `token_limit` tokens, its token count); ("", 0) for other types."""
    stream.seek(0)
    try:
        if is_text(mime):
            # Never more than the limit can use: a huge text upload is not read whole.
            raw = stream.read(token_limit * MAX_BYTES_PER_TOKEN)
            text = raw.decode("utf-8", errors="ignore")
        elif mime in READERS:
            text = READERS[mime](stream)
        else:
            return "", 0
    except NoText:
        raise
    except Exception as error:  # each library raises its own kinds on a broken file
        raise NoText(f"The file's text cannot be read ({type(error).__name__}).") from None
    finally:
        stream.seek(0)
    return cut(text.strip(), token_limit)


def cut(text: str, limit: int) -> tuple[str, int]:
    encoding = tokens.encoding_for("gpt-4o")
    ids = encoding.encode(text, disallowed_special=())
    if len(ids) <= limit:
        return text, len(ids)
    return encoding.decode(ids[:limit]), limit


def _pdf(stream: IO[bytes]) -> str:
    from pypdf import PdfReader

    reader = PdfReader(stream, strict=False)
    return "\n\n".join((page.extract_text() or "").strip() for page in reader.pages)


def _docx(stream: IO[bytes]) -> str:
    import docx

    document = docx.Document(stream)
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        lines += ["\t".join(cell.text for cell in row.cells) for row in table.rows]
    return "\n".join(lines)


def _xlsx(stream: IO[bytes]) -> str:
    import openpyxl

    book = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    sheets = []
    for sheet in book.worksheets:
        rows = (
            ",".join("" if v is None else str(v) for v in row)
            for row in sheet.iter_rows(values_only=True)
        )
        sheets.append(f"# {sheet.title}\n" + "\n".join(rows))
    book.close()
    return "\n\n".join(sheets)


def _pptx(stream: IO[bytes]) -> str:
    import pptx

    slides = []
    for number, slide in enumerate(pptx.Presentation(stream).slides, start=1):
        texts = [s.text_frame.text for s in slide.shapes if s.has_text_frame]
        slides.append(f"# Slide {number}\n" + "\n".join(texts))
    return "\n\n".join(slides)


READERS: dict[str, Callable[[IO[bytes]], str]] = {
    "application/pdf": _pdf,
    DOCX: _docx,
    XLSX: _xlsx,
    PPTX: _pptx,
}
