"""Files fixtures: a private storage directory, a fresh cache, and real file bytes."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter

from chatapp.files import storage
from endpoints import config, registry


@pytest.fixture(autouse=True)
def files_root(settings, tmp_path):
    """Uploads go under this test's own directory; counters start at zero."""
    settings.FILES_ROOT = tmp_path / "files"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "f"}
    }
    from django.core.cache import cache

    cache.clear()
    storage.storage.cache_clear()
    yield settings.FILES_ROOT
    storage.storage.cache_clear()


@pytest.fixture
def file_config(settings, tmp_path):
    """Use a librechat.yaml with this text after `version:` (fileConfig and friends)."""

    def configure(text: str = "") -> None:
        path = tmp_path / "librechat.yaml"
        path.write_text("version: 1.3.14\n" + text)
        settings.CONFIG_PATH = str(path)
        config.current.cache_clear()
        registry.current.cache_clear()

    configure()
    yield configure
    config.current.cache_clear()
    registry.current.cache_clear()


def png_bytes(width: int = 4, height: int = 3, color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


def pdf_bytes(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(side: int = 100_000) -> bytes:
    """A PNG whose header claims side×side pixels (10 billion) in a few hundred bytes."""
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)  # 8-bit greyscale
    rows = zlib.compress(b"\x00" * 1024)
    chunks = _chunk(b"IHDR", header) + _chunk(b"IDAT", rows) + _chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


def upload(name: str, data: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)
