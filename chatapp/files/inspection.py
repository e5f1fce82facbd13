"""Does an upload open as what its bytes say it is? Images and PDFs are opened here.

An image must open in Pillow within its pixel limit (`Image.MAX_IMAGE_PIXELS`,
about 89 million: a decompression bomb is refused before any pixel is decoded,
since only the header is read) and pass `verify()`. A PDF must parse in pypdf
(its cross-reference table and page tree). Other types are taken as sniffed.
"""

from __future__ import annotations

import warnings
from typing import IO

from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PyPdfError

# The images every provider reads; other image types (HEIC) travel as documents.
PROVIDER_IMAGES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


class Unreadable(Exception):
    """The bytes do not open as their type; the message says why, for the user."""


def check(stream: IO[bytes], mime: str) -> None:
    """Raise Unreadable when `stream` (at any position; rewound here) does not open."""
    stream.seek(0)
    try:
        if mime in PROVIDER_IMAGES:
            _image(stream)
        elif mime == "application/pdf":
            _pdf(stream)
    finally:
        stream.seek(0)


def _image(stream: IO[bytes]) -> None:
    with warnings.catch_warnings():
        # Pillow warns between the limit and twice it, and raises above: refuse both.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(stream) as image:
                width, height = image.size
                image.verify()
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            limit = Image.MAX_IMAGE_PIXELS or 0
            raise Unreadable(
                f"The image has too many pixels (at most {limit:,} are accepted)."
            ) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
            raise Unreadable(f"The image cannot be read ({error}).") from None
    if width * height == 0:
        raise Unreadable("The image is empty (no pixels).")


def _pdf(stream: IO[bytes]) -> None:
    try:
        reader = PdfReader(stream, strict=False)
        if reader.is_encrypted:
            raise Unreadable("The PDF is encrypted: upload it without a password.")
        pages = len(reader.pages)
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as error:
        raise Unreadable(f"The PDF cannot be read ({error}).") from None
    if pages == 0:
        raise Unreadable("The PDF has no pages.")
