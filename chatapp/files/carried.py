"""Files that arrive with an import: a conversation export's, or a LibreChat deployment's.

An import names each message's files (`Carried`); `carry(user, carried)` finds or
stores them for `user`, the importing user, and never anyone else's:

- bytes in the file itself (Parley's export, a `data:` URL) are stored as an upload
  is (`adopt`): the type sniffed from the bytes, images and PDFs that open, the text
  extracted; but no upload rate limit and no endpoint's limits, since the file was
  accepted once already; only the server's `serverFileSizeLimit` applies;
- otherwise the user's own file with that id (Parley's export, re-imported on the
  same server), or the one a LibreChat deployment import stored from that
  `file_id` (chatapp/importer/files.py), or, failing both, with the same SHA-256.

What cannot be found is kept as its name: `with_placeholders` adds a visible line
per missing file to the message's text, so the import never fails for a file.
"""

from __future__ import annotations

import base64
import binascii
import io
import logging
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.files import File

from chatapp import access
from chatapp.files import inspection, policy, uploads
from chatapp.files.policy import Refused
from chatapp.files.sniff import HEAD_BYTES, sniff
from chatapp.models import ImportedRecord, StoredFile

FILES = "files"  # the ImportedRecord collection of LibreChat's files
DATA_URL = re.compile(r"^data:[\w.+-]+/[\w.+-]+(?:;[\w=.+-]+)*;base64,(.*)$", re.DOTALL)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Carried:
    """A file named by an imported message, and what the import knows of it."""

    name: str
    data: bytes | None = None  # its bytes, when the export brought them
    file_id: str = ""  # a Parley file id, or a LibreChat file_id
    sha256: str = ""
    as_text: bool = False  # sent to the model as its extracted text


@dataclass
class Found:
    files: list[StoredFile] = field(default_factory=list)  # in order, each once
    missing: list[str] = field(default_factory=list)  # the names of those not found
    stored: list[StoredFile] = field(default_factory=list)  # stored by this import


def carry(user, carried: Iterable[Carried]) -> Found:
    """The user's files for `carried`, storing the bytes that came with them."""
    found = Found()
    for item in carried:
        stored, fresh = _find(user, item)
        if stored is None:
            found.missing.append(item.name)
            continue
        if fresh:
            found.stored.append(stored)
        if all(f.pk != stored.pk for f in found.files):
            stored.as_text = item.as_text  # read by attachments.attach
            found.files.append(stored)
    return found


def _find(user, item: Carried) -> tuple[StoredFile | None, bool]:
    if item.data:
        try:
            return adopt(user, File(io.BytesIO(item.data), name=item.name)), True
        except Refused as refused:  # bytes that are no usable file: the user's own copy?
            log.info("imported file %r refused (%s): the user's copy?", item.name, refused)
    return own_copy(user, item), False


def own_copy(user, item: Carried) -> StoredFile | None:
    """The user's file this item names: by Parley id, by the LibreChat file_id an earlier
    deployment import stored, or by content."""
    mine = access.files_for(user).exclude(kind=StoredFile.Kind.AVATAR)
    if item.file_id:
        imported = ImportedRecord.objects.filter(collection=FILES, source_id=item.file_id)
        for pk in _uuids([item.file_id, *imported.values_list("target_id", flat=True)]):
            stored = mine.filter(pk=pk).first()
            if stored and (not item.sha256 or stored.sha256 == item.sha256):
                return stored
    return mine.filter(sha256=item.sha256).first() if item.sha256 else None


def _uuids(values: Iterable[str]) -> list[uuid.UUID]:
    found = []
    for value in values:
        try:
            found.append(uuid.UUID(value))
        except ValueError:
            continue  # a LibreChat id that names no Parley file
    return found


def adopt(user, upload: File, *, created_at=None) -> StoredFile:
    """Store bytes an import brought for `user`, checked as an upload's are (its type from
    the bytes, images and PDFs that open, the text extracted); raise Refused otherwise."""
    size = upload.size or 0
    if size <= 0:
        raise Refused("empty_file", "The file is empty (0 bytes).")
    if size > policy.server_limit():
        raise Refused("file_too_large", f"The file is {uploads.megabytes(size)}.", 413)
    upload.seek(0)
    mime = sniff(upload.read(HEAD_BYTES), upload.name or "")
    if mime is None:
        raise Refused("unknown_type", "The file's type cannot be told from its contents.")
    try:
        inspection.check(upload, mime)
    except inspection.Unreadable as error:
        raise Refused("unreadable", str(error)) from None
    kind = StoredFile.Kind.IMAGE if mime in inspection.PROVIDER_IMAGES else StoredFile.Kind.DOCUMENT
    fields = {"name": uploads.display_name(upload.name), "mime": mime, "size": size, "kind": kind}
    fields |= uploads.text_fields(upload, mime)
    if created_at is not None:
        fields["created_at"] = created_at
    return uploads.save(user, upload, fields)


def data_url(value: object) -> bytes | None:
    """The bytes of a base64 `data:` URL (None for anything else, or broken base64)."""
    match = DATA_URL.match(value) if isinstance(value, str) else None
    if match is None:
        return None
    return decode(match.group(1))


def decode(value: object) -> bytes | None:
    if not isinstance(value, str):
        return None
    try:
        return base64.b64decode(value, validate=True) or None
    except (binascii.Error, ValueError):
        return None


def with_placeholders(text: str, missing: Iterable[str]) -> str:
    """The message's text, then a line for each file whose bytes did not come with it."""
    lines = [f"[File not imported: {name}]" for name in missing]
    return "\n\n".join(part for part in (text, "\n".join(lines)) if part)


def discard(stored: Iterable[StoredFile]) -> None:
    """Undo what an import stored before it failed."""
    for item in stored:
        uploads.delete(item)
