"""A document's text, for models that cannot read the file itself.

PDF (pypdf), Word (python-docx), Excel (openpyxl, .xlsx), OpenDocument
spreadsheets (chatapp/files/ods.py, .ods), PowerPoint (python-pptx), and every
text type (plain, Markdown, CSV, code, JSON, XML) decoded as UTF-8. The text
is cut to `fileConfig.fileTokenLimit` tokens (o200k_base) and headed by the
file's name when it is sent. A document is read a piece at a time (a page, a
paragraph, a row, a slide) and only until its text holds that many tokens, so a
long document's end, which the cut drops anyway, is never extracted. Extraction
runs in the upload's worker thread (Django runs the sync upload view off the
event loop), once per file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import IO

from chatapp.files import ods
from endpoints import tokens

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
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
            text = gather(READERS[mime](stream), token_limit)
        else:
            return "", 0
    except NoText:
        raise
    except Exception as error:  # each library raises its own kinds on a broken file
        raise NoText(f"The file's text cannot be read ({type(error).__name__}).") from None
    finally:
        stream.seek(0)
    return cut(text.strip(), token_limit)


def gather(pieces: Iterable[str], limit: int) -> str:
    """The pieces joined, read until they hold `limit` tokens and then one piece more:
    that piece keeps the cut where it falls in the whole text (a piece's last token
    can join with what follows it)."""
    encoding = tokens.encoding_for("gpt-4o")
    kept: list[str] = []
    count = 0
    for piece in pieces:
        kept.append(piece)
        if count >= limit:
            break
        count += len(encoding.encode(piece, disallowed_special=()))
    return "".join(kept)


def cut(text: str, limit: int) -> tuple[str, int]:
    encoding = tokens.encoding_for("gpt-4o")
    ids = encoding.encode(text, disallowed_special=())
    if len(ids) <= limit:
        return text, len(ids)
    return encoding.decode(ids[:limit]), limit


def _pdf(stream: IO[bytes]) -> Iterator[str]:
    from pypdf import PdfReader

    for page in PdfReader(stream, strict=False).pages:
        yield (page.extract_text() or "").strip() + "\n\n"


def _docx(stream: IO[bytes]) -> Iterator[str]:
    import docx

    document = docx.Document(stream)
    for paragraph in document.paragraphs:
        yield paragraph.text + "\n"
    for table in document.tables:
        for row in table.rows:
            yield "\t".join(cell.text for cell in row.cells) + "\n"


def _xlsx(stream: IO[bytes]) -> Iterator[str]:
    import openpyxl

    book = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    try:
        for number, sheet in enumerate(book.worksheets):
            yield ("\n" if number else "") + f"# {sheet.title}\n"
            for row in sheet.iter_rows(values_only=True):
                yield ",".join("" if v is None else str(v) for v in row) + "\n"
    finally:
        book.close()


def _pptx(stream: IO[bytes]) -> Iterator[str]:
    import pptx

    for number, slide in enumerate(pptx.Presentation(stream).slides, start=1):
        texts = [s.text_frame.text for s in slide.shapes if s.has_text_frame]
        yield f"# Slide {number}\n" + "\n".join(texts) + "\n\n"


READERS: dict[str, Callable[[IO[bytes]], Iterator[str]]] = {
    "application/pdf": _pdf,
    DOCX: _docx,
    XLSX: _xlsx,
    ODS: ods.pieces,
    PPTX: _pptx,
}
