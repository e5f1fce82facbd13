"""One upload, all or nothing: checked, then stored, then recorded.

`store(user, upload, endpoint=..., conversation_id=..., ip=...)` checks, in
order: the upload rate limits, the conversation (the user's own, or 404), the
endpoint's `fileConfig` (disabled, sizes, `supportedMimeTypes` against the type
sniffed from the bytes), and that the file opens as that type (images within
Pillow's pixel limit, PDFs that parse). Each refusal is a `policy.Refused`
naming the limit or the problem. Only then are the bytes written, and a failure
while recording the row deletes the written object: nothing is half-stored.
"""

from __future__ import annotations

import hashlib
import logging
import unicodedata
from typing import IO, Protocol

from django.db import transaction

from chatapp import access
from chatapp.files import extraction, findable, inspection, policy, storage
from chatapp.files.policy import Refused
from chatapp.files.sniff import HEAD_BYTES, sniff
from chatapp.models import StoredFile
from endpoints.files import MB, Limits

CHUNK = 64 * 1024
log = logging.getLogger(__name__)


class Upload(Protocol):
    """What Django's UploadedFile offers: a name, a size and a seekable stream."""

    name: str | None
    size: int | None

    def read(self, size: int = -1) -> bytes: ...
    def seek(self, offset: int, whence: int = 0) -> int: ...


def store(
    user,
    upload: Upload,
    *,
    endpoint: str,
    conversation_id: str | None = None,
    ip: str | None = None,
) -> StoredFile:
    """Check and store one upload for `user`; raise Refused (or Http404) without storing."""
    policy.count_upload(user, ip)
    conversation = access.get_conversation_for(user, conversation_id) if conversation_id else None
    limits = policy.limits_for(endpoint)
    if limits.disabled:
        raise Refused("uploads_disabled", f"File uploads are turned off for {endpoint}.", 403)
    size = upload.size or 0
    check_size(size, limits, policy.server_limit())
    upload.seek(0)
    mime = sniff(upload.read(HEAD_BYTES), upload.name or "")
    if mime is None:
        raise Refused("unknown_type", "The file's type cannot be told from its contents.", 415)
    if not limits.accepts(mime):
        raise Refused("unsupported_type", f"{mime} files are not accepted on {endpoint}.", 415)
    try:
        inspection.check(upload, mime)
    except inspection.Unreadable as error:
        raise Refused("unreadable", str(error)) from None
    kind = StoredFile.Kind.IMAGE if mime in inspection.PROVIDER_IMAGES else StoredFile.Kind.DOCUMENT
    fields = {"name": display_name(upload.name), "mime": mime, "size": size, "kind": kind}
    fields |= text_fields(upload, mime)
    return save(user, upload, fields | {"conversation": conversation, "endpoint": endpoint})


def text_fields(upload: Upload, mime: str) -> dict:
    """The extracted text (chatapp/files/extraction.py), for models that cannot read the file."""
    try:
        text, count = extraction.extract(upload, mime, policy.token_limit())  # type: ignore[arg-type]
    except extraction.NoText as error:
        raise Refused("unreadable", str(error)) from None
    return {"text": text, "text_tokens": count}


def check_size(size: int, limits: Limits, server: int) -> None:
    if size <= 0:
        raise Refused("empty_file", "The file is empty (0 bytes).")
    for limit, what in ((server, "the server's"), (limits.file_size, "this endpoint's")):
        if size > limit:
            message = f"The file is {megabytes(size)}: over {what} limit of {megabytes(limit)}."
            raise Refused("file_too_large", message, 413)


def megabytes(size: int) -> str:
    """A size as LibreChat's limits are written (MB of 1024²); bytes under one."""
    if size < MB:
        return f"{size:,} bytes"
    return f"{size / MB:.1f} MB" if size < 10 * MB else f"{size / MB:.0f} MB"


def display_name(name: str | None) -> str:
    """The browser's file name, for display only: no path, no control characters."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()
    return name[:255] or "file"


def digest(stream: IO[bytes]) -> str:
    stream.seek(0)
    sha = hashlib.sha256()
    while chunk := stream.read(CHUNK):
        sha.update(chunk)
    stream.seek(0)
    return sha.hexdigest()


def save(user, upload: Upload, fields: dict) -> StoredFile:
    """Write the bytes (streamed by the storage), then the row; undo the write on failure."""
    sha256 = digest(upload)
    strategy = storage.strategy(fields["kind"])
    # Local storage moves a spooled upload into place; the others get the sniffed type.
    content = upload if strategy == "local" else storage.typed(upload, fields["mime"])
    try:
        where = storage.storage(strategy)
        key = where.save(storage.new_key(fields["kind"], user.pk), content)
    except storage.REMOTE_ERRORS:
        log.exception("storing an upload on %s failed", strategy)
        message = "The file could not be stored just now: try again later."
        raise Refused("storage_unavailable", message, 503) from None
    try:
        with transaction.atomic():
            return StoredFile.objects.create(
                owner=user, sha256=sha256, storage=strategy, key=key, **fields
            )
    except BaseException:
        where.delete(key)
        raise


def delete(stored: StoredFile) -> None:
    """Remove the row, then (once that is committed) the bytes; search forgets the file."""
    where, key = storage.storage(stored.storage), stored.key
    messages = list(stored.attachments.values_list("message_id", flat=True))
    stored.delete()
    findable.refresh(messages)
    transaction.on_commit(lambda: where.delete(key))
