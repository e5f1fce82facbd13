"""An OpenDocument spreadsheet's text (.ods), row by row, as extraction.py reads documents.

An .ods file is a zip whose content.xml holds every sheet. It is parsed as a stream
(defusedxml's iterparse: no DTDs, entities or external references) and each row comes
out, and is dropped, as it is reached, so a reader that stops early never inflates the
rest. Each sheet is headed `# name` and each row is its cells' displayed text joined by
commas, as the Excel reader writes them.

LibreOffice pads a sheet with empty cells and rows repeated up to a million times, and
a small file can claim far more: empty rows are skipped whatever their count, trailing
empty cells dropped, a row is at most MAX_COLUMNS cells or MAX_ROW_CHARS characters, and
reading ends after MAX_XML_BYTES of content.xml.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from typing import IO
from xml.etree.ElementTree import Element, ParseError

from defusedxml.ElementTree import iterparse

TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
# A cell's value, for writers that leave out its displayed text (text:p).
VALUES = tuple(
    f"{OFFICE}{kind}"
    for kind in ("value", "date-value", "time-value", "boolean-value", "string-value")
)
CELLS = (f"{TABLE}table-cell", f"{TABLE}covered-table-cell")
MAX_COLUMNS = 16_384  # LibreOffice's own limits
MAX_ROWS = 1_048_576
MAX_ROW_CHARS = 1024 * 1024
MAX_SPACES = 1024
MAX_XML_BYTES = 64 * 1024 * 1024


def pieces(stream: IO[bytes], xml_limit: int = MAX_XML_BYTES) -> Iterator[str]:
    """'# sheet\\n', then 'cell,cell\\n' for each row with text; '\\n' between sheets."""
    with zipfile.ZipFile(stream) as archive, archive.open("content.xml") as xml:
        capped, open_elements, sheets = _Capped(xml, xml_limit), [], 0
        try:
            for event, element in iterparse(capped, events=("start", "end")):
                if event == "start":
                    open_elements.append(element)
                    if element.tag == f"{TABLE}table":
                        yield ("\n" if sheets else "") + f"# {element.get(f'{TABLE}name', '')}\n"
                        sheets += 1
                    continue
                open_elements.pop()
                if element.tag == f"{TABLE}table-row":
                    yield from _rows(element)
                    open_elements[-1].remove(element)  # a read row costs nothing more
        except ParseError:
            if not capped.full:
                raise  # a broken file; past the cap, what was read is the text


def _rows(row: Element) -> Iterator[str]:
    line = _row_text(row)
    if line:
        for _ in range(_repeat(row, "rows", MAX_ROWS)):
            yield line + "\n"


def _row_text(row: Element) -> str:
    cells: list[str] = []
    size = 0
    for cell in row:
        if cell.tag not in CELLS:
            continue
        text = _cell_text(cell)
        for _ in range(_repeat(cell, "columns", MAX_COLUMNS)):
            if len(cells) == MAX_COLUMNS or size > MAX_ROW_CHARS:
                break
            cells.append(text)
            size += len(text) + 1
    while cells and not cells[-1]:
        cells.pop()
    return ",".join(cells)


def _repeat(element: Element, what: str, most: int) -> int:
    return _number(element.get(f"{TABLE}number-{what}-repeated"), most)


def _number(value: str | None, most: int) -> int:
    try:
        return max(1, min(int(value or 1), most))
    except ValueError:
        return 1


def _cell_text(cell: Element) -> str:
    paragraphs = [_text(p) for p in cell if p.tag == f"{TEXT}p"]
    if paragraphs:
        return "\n".join(paragraphs)
    return next((value for name in VALUES if (value := cell.get(name))), "")


def _text(element: Element) -> str:
    """A paragraph's text, with its coded spaces (text:s), tabs and line breaks."""
    out = [element.text or ""]
    for child in element:
        if child.tag == f"{TEXT}s":
            out.append(" " * _number(child.get(f"{TEXT}c"), MAX_SPACES))
        elif child.tag == f"{TEXT}tab":
            out.append("\t")
        elif child.tag == f"{TEXT}line-break":
            out.append("\n")
        else:
            out.append(_text(child))
        out.append(child.tail or "")
    return "".join(out)


class _Capped:
    """content.xml, ending (to the parser) after `limit` bytes."""

    def __init__(self, xml: IO[bytes], limit: int) -> None:
        self.xml, self.limit, self.read_so_far = xml, limit, 0

    @property
    def full(self) -> bool:
        return self.read_so_far >= self.limit

    def read(self, size: int = -1) -> bytes:
        room = self.limit - self.read_so_far
        data = self.xml.read(room if size < 0 else min(size, room)) if room > 0 else b""
        self.read_so_far += len(data)
        return data
