"""Search input as plain values: the parsed query, the page cursor, and highlighted snippets.

A query is only ever text: quotes, dashes, stars, colons and SQL or filter
syntax are characters to find, never operators. It is capped so a huge query
costs no more than a sensible one.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

MAX_QUERY_CHARS = 200
MAX_TERMS = 8
MAX_OFFSET = 1000
SNIPPET_CHARS = 160
SNIPPET_LEAD = 50
# Han, kana, hangul: scripts written without spaces, matched by substring.
CJK = re.compile(
    r"[\u1100-\u11ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]"
)


@dataclass(frozen=True)
class Segment:
    """A piece of a snippet; `hit` pieces are the matched text (rendered as <mark>)."""

    text: str
    hit: bool = False


class BadCursor(ValueError):
    """A cursor this search did not hand out (answered with 400)."""


@dataclass(frozen=True)
class Query:
    text: str
    terms: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.terms)


def parse(raw: str | None) -> Query:
    """Whitespace-separated terms, lower-cased, de-duplicated, capped in length and number."""
    text = " ".join((raw or "").split())[:MAX_QUERY_CHARS]
    terms: list[str] = []
    for word in text.lower().split():
        if word not in terms and (len(word) >= 3 or any(c.isalnum() for c in word)):
            terms.append(word)
    return Query(text, tuple(terms[:MAX_TERMS]))


def is_cjk(term: str) -> bool:
    return bool(CJK.search(term))


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"s{offset}".encode()).decode()


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor.encode()).decode()
        offset = int(raw.removeprefix("s")) if raw.startswith("s") else -1
    except (ValueError, binascii.Error, UnicodeDecodeError):
        offset = -1
    if not 0 <= offset <= MAX_OFFSET:
        raise BadCursor("cursor: not a cursor this search returned.")
    return offset


def highlight(text: str, terms: tuple[str, ...], width: int = SNIPPET_CHARS) -> tuple[Segment, ...]:
    """A window of `text` around the first match, split into plain and matched pieces."""
    pattern = _pattern(terms)
    first = pattern.search(text) if pattern else None
    start = max(0, first.start() - SNIPPET_LEAD) if first else 0
    window = text[start : start + width]
    pieces = [Segment("…")] if start else []
    at = 0
    for match in pattern.finditer(window) if pattern else ():
        if match.start() > at:
            pieces.append(Segment(window[at : match.start()]))
        pieces.append(Segment(match.group(), hit=True))
        at = match.end()
    if at < len(window):
        pieces.append(Segment(window[at:]))
    if start + width < len(text):
        pieces.append(Segment("…"))
    return tuple(pieces)


def _pattern(terms: tuple[str, ...]) -> re.Pattern | None:
    if not terms:
        return None
    longest_first = sorted(terms, key=len, reverse=True)
    return re.compile("|".join(re.escape(t) for t in longest_first), re.IGNORECASE)
