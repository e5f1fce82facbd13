"""A mongodump directory: one `<collection>.bson` (or `.bson.gz`) per collection, streamed."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import bson
from bson.codec_options import CodecOptions
from bson.errors import InvalidBSON

# Dates come back aware (UTC); a string that is not UTF-8 is kept with U+FFFD, not refused.
CODEC = CodecOptions(tz_aware=True, unicode_decode_error_handler="replace")


class DumpError(Exception):
    """The directory is not a mongodump of one database."""


class BrokenFile(Exception):
    """A collection file stops being BSON part-way (truncated or corrupt)."""

    def __init__(self, collection: str, index: int, reason: str) -> None:
        super().__init__(f"{collection}: document #{index} cannot be read: {reason}")
        self.collection, self.index = collection, index


def database_dir(directory: Path) -> Path:
    """`mongodump --out DIR` writes DIR/<database>/; accept DIR or DIR/<database>."""
    if not directory.is_dir():
        raise DumpError(f"{directory} is not a directory.")
    if _has_collections(directory):
        return directory
    candidates = [child for child in sorted(directory.iterdir()) if _has_collections(child)]
    candidates = [child for child in candidates if child.name not in ("admin", "config", "local")]
    if len(candidates) != 1:
        names = ", ".join(child.name for child in candidates) or "none"
        raise DumpError(
            f"{directory} holds no single database dump (databases found: {names}); "
            "pass the database's own directory."
        )
    return candidates[0]


def _has_collections(path: Path) -> bool:
    return path.is_dir() and (any(path.glob("*.bson")) or any(path.glob("*.bson.gz")))


def collections(directory: Path) -> set[str]:
    """The names of the collections dumped in `directory`."""
    names = {path.name.removesuffix(".gz").removesuffix(".bson") for path in directory.iterdir()}
    return {name for name in names if (directory / f"{name}.bson").exists()
            or (directory / f"{name}.bson.gz").exists()}  # fmt: skip


def documents(directory: Path, collection: str) -> Iterator[dict[str, Any]]:
    """The collection's documents one at a time (none when the dump lacks the collection)."""
    plain, packed = directory / f"{collection}.bson", directory / f"{collection}.bson.gz"
    if not plain.exists() and not packed.exists():
        return
    with _open(plain if plain.exists() else packed) as stream:
        read = 0
        try:
            for document in bson.decode_file_iter(stream, CODEC):
                read += 1
                yield document
        except InvalidBSON as error:
            raise BrokenFile(collection, read + 1, str(error)) from error


def _open(path: Path) -> IO[bytes]:
    return gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb")
