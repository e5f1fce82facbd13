"""One import of a LibreChat mongodump: the collections in dependency order, in batches.

Each batch is converted in memory, then written in one transaction (never the
whole dump in one): an interrupted run keeps every finished batch, and the
next run skips what is already there (kept ids, or chatapp.models.ImportedRecord).
With `dry_run` nothing is written, but everything is read, checked and counted.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from chatapp.importer import dump
from chatapp.importer.report import Report
from chatapp.importer.values import Unreadable
from chatapp.models import ImportedRecord

Progress = Callable[[str, int], None]  # (collection, documents read so far)


@dataclass(frozen=True)
class Options:
    directory: Path
    dry_run: bool = False
    merge_existing: bool = False
    batch_size: int = 1000
    creds_key: str = ""  # LibreChat's CREDS_KEY (64 hex digits)
    creds_iv: str = ""  # LibreChat's CREDS_IV (32 hex digits)
    files_dir: Path | None = None  # LibreChat's uploaded files (--files): uploads/, images/


@dataclass
class Run:
    options: Options
    directory: Path
    report: Report = field(default_factory=Report)
    progress: Progress | None = None
    users: dict[str, int] = field(default_factory=dict)  # LibreChat user id → Parley user pk
    conversations: dict[uuid.UUID, int] = field(default_factory=dict)  # id → owner pk
    files: dict[str, str] = field(default_factory=dict)  # LibreChat file_id → StoredFile pk

    def batches(self, collection: str) -> Iterator[list[dict[str, Any]]]:
        """The collection in lists of at most batch_size documents, read as they are needed."""
        batch: list[dict[str, Any]] = []
        read = 0
        try:
            for document in dump.documents(self.directory, collection):
                batch.append(document)
                read += 1
                if len(batch) >= self.options.batch_size:
                    yield batch
                    batch = []
                    self._progress(collection, read)
        except dump.BrokenFile as broken:
            self.report.skip(collection, "the rest of the file is not BSON", str(broken))
        if batch:
            yield batch
        self._progress(collection, read)

    def _progress(self, collection: str, read: int) -> None:
        if self.progress:
            self.progress(collection, read)

    def write(self, action: Callable[[], Any]) -> None:
        """Run one batch's writes in their own transaction (nothing on a dry run)."""
        if not self.options.dry_run:
            with transaction.atomic():
                action()

    def owner(self, document: dict, field: str = "user") -> int | None:
        value = document.get(field)
        return self.users.get(str(value)) if value is not None else None

    def unreadable(self, collection: str, document: dict, error: Unreadable) -> None:
        record = f"{_name(document)}: {error.reason}"
        self.report.skip(collection, f"unreadable field {error.field}", record)

    def done(self, collection: str) -> dict[str, str]:
        """Source id → target id of what earlier runs imported from `collection`."""
        rows = ImportedRecord.objects.filter(collection=collection)
        return dict(rows.values_list("source_id", "target_id"))


def _name(document: dict) -> str:
    for key in ("_id", "messageId", "conversationId", "email"):
        if document.get(key) is not None:
            return f"{key} {document[key]}"
    return "a document without id"
