"""A file's type, from its first bytes alone (never the browser's word or the name).

Binary formats are recognised by their signatures (`filetype`, pure Python:
images, PDF, Office and OpenDocument files, archives). Bytes that are none of
those and read as UTF-8 text without NULs are text; only then does the name's
extension choose among the text types (Markdown, CSV, code), since a text file
has no signature and any text type is served and read the same way.
"""

from __future__ import annotations

import codecs
import os

import filetype

HEAD_BYTES = 8192  # what filetype reads; enough for the Office formats' zip entries
TEXT_TYPES = {
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".csv": "text/csv",
    ".tsv": "text/tab-separated-values",
    ".py": "text/x-python",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".ts": "application/typescript",
    ".json": "application/json",
    ".html": "text/html",
    ".htm": "text/html",
    ".css": "text/css",
    ".xml": "application/xml",
    ".c": "text/x-c",
    ".h": "text/x-h",
    ".cpp": "text/x-c++",
    ".cc": "text/x-c++",
    ".cs": "text/x-csharp",
    ".java": "text/x-java",
    ".php": "text/x-php",
    ".rb": "text/x-ruby",
    ".tex": "text/x-tex",
    ".vtt": "text/vtt",
}


def sniff(head: bytes, name: str = "") -> str | None:
    """The MIME type of a file that starts with `head`, or None when it is not recognised."""
    if not head:
        return None
    found = filetype.guess(head)
    if found is not None:
        return found.mime
    if is_text(head):
        return TEXT_TYPES.get(os.path.splitext(name)[1].lower(), "text/plain")
    return None


def is_text(head: bytes) -> bool:
    """UTF-8 without NULs; a character cut by the end of `head` does not count against it."""
    if b"\x00" in head:
        return False
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True
