"""Files on a message: checked when a message is sent, attached, read back as parts.

`for_send(user, chosen, endpoint, model)` returns the user's files in the order
sent, or raises the engine's Refusal before anything is saved or any provider
called: a file that is not the user's (`not_found`), uploads turned off for the
endpoint, more than `fileLimit` files or `totalSizeLimit` bytes, a type the
endpoint does not accept, an image or PDF for a model that cannot read one
(LibreChat's vision list plus PARLEY_VISION_MODELS: endpoints/vision.py), or a
file chosen "as text" that has no text (`no_text`).
`attach(message, files)` records them on the message; `parts(text, files)` is
what the provider receives.

Each file carries `as_text` (set by `for_send` from the user's choice, and by
`files_of` from its Attachment row, as a Django annotation would): the model then
receives the file's extracted text instead of the file (LibreChat's "Upload as Text").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from chatapp import access
from chatapp.engine.refusal import Refusal
from chatapp.files import findable, inspection, policy, storage
from chatapp.files.uploads import megabytes
from chatapp.models import Attachment, Message, StoredFile
from endpoints.adapters.base import DocumentPart, ImagePart, Part, TextPart
from endpoints.vision import reads_images

NATIVE = inspection.PROVIDER_IMAGES | {"application/pdf"}  # read by the model itself


def choices(chosen: Iterable[Any]) -> dict[str, bool]:
    """The send frame's `attachments` (ids, or `{id, as_text}`) as id → as_text, in order;
    a file sent twice counts once, as first chosen."""
    found: dict[str, bool] = {}
    for entry in chosen:
        if isinstance(entry, dict):
            found.setdefault(str(entry["id"]), bool(entry.get("as_text")))
        else:
            found.setdefault(str(entry), False)
    return found


def for_send(user, chosen: Sequence[Any], endpoint: str, model: str, cid: Any = None) -> list:
    wanted = choices(chosen)
    if not wanted:
        return []
    found = access.files_for(user).exclude(kind=StoredFile.Kind.AVATAR).filter(pk__in=wanted)
    by_id = {str(f.pk): f for f in found}
    if len(by_id) != len(wanted):
        raise Refusal("not_found", "No such file: upload it again.", cid)
    files = [by_id[i] for i in wanted]
    for stored in files:
        stored.as_text = wanted[str(stored.pk)]
    limits = policy.limits_for(endpoint)
    if limits.disabled:
        raise Refusal("uploads_disabled", f"Files are turned off for {endpoint}.", cid)
    if len(files) > limits.file_limit:
        message = f"At most {limits.file_limit} files per message on {endpoint}."
        raise Refusal("too_many_files", message, cid)
    total = sum(f.size for f in files)
    if total > limits.total_size:
        message = f"The files add up to {megabytes(total)}: over {endpoint}'s limit of "
        raise Refusal("files_too_large", message + f"{megabytes(limits.total_size)}.", cid)
    for stored in files:
        if not limits.accepts(stored.mime):
            message = f"{stored.name}: {stored.mime} files are not accepted on {endpoint}."
            raise Refusal("unsupported_type", message, cid)
        if stored.as_text and not stored.text:
            message = f"{stored.name} has no text to send: send the file itself."
            raise Refusal("no_text", message, cid)
        if not stored.as_text and needs_vision(stored) and not vision(model):
            what = "images" if stored.kind == StoredFile.Kind.IMAGE else "PDFs without text"
            message = f"{model} cannot read {what} ({stored.name}): pick a model that can."
            raise Refusal("unreadable_attachment", message, cid)
    return files


def vision(model: str) -> bool:
    return reads_images(model, settings.VISION_MODELS)


def needs_vision(stored: StoredFile) -> bool:
    """Only a model that reads images can take it: images, and PDFs with no text."""
    return stored.kind == StoredFile.Kind.IMAGE or (stored.mime in NATIVE and not stored.text)


def attach(message: Message, files: Iterable[StoredFile]) -> None:
    files = list(files)
    if not files:  # most messages: no queries to build
        return
    Attachment.objects.bulk_create(
        Attachment(message=message, file=f, position=i, as_text=as_text(f))
        for i, f in enumerate(files)
    )
    pks = [f.pk for f in files]
    StoredFile.objects.filter(pk__in=pks, attached_at__isnull=True).update(
        attached_at=timezone.now()
    )
    # What search finds of them (the caller reindexes the message).
    message.files_text = findable.text_of(files)
    Message.objects.filter(pk=message.pk).update(files_text=message.files_text)


def as_text(stored: StoredFile) -> bool:
    """Sent as its extracted text? (A file read without a choice is sent as itself.)"""
    return getattr(stored, "as_text", False)


def files_of(message_ids: Iterable[Any]) -> dict[Any, list[StoredFile]]:
    """Each message's files in their order, each with its `as_text` (messages without
    files are absent)."""
    found: dict[Any, list[StoredFile]] = defaultdict(list)
    rows = Attachment.objects.filter(message_id__in=list(message_ids)).select_related("file")
    for row in rows.order_by("message_id", "position"):
        row.file.as_text = row.as_text
        found[row.message_id].append(row.file)
    return dict(found)


def described(stored: StoredFile) -> dict[str, Any]:
    """What every view of a file shows: its id, name, type, size and kind."""
    return {
        "id": str(stored.id),
        "name": stored.name,
        "mime": stored.mime,
        "size": stored.size,
        "kind": stored.kind,
    }


def summary(stored: StoredFile) -> dict[str, Any]:
    """A file as the conversation API shows it on its message (the bytes: `url`, owner only)."""
    url = reverse("api:file-content", args=[stored.id])
    return {**described(stored), "as_text": as_text(stored), "url": url}


def parts(text: str, files: Sequence[StoredFile], model: str) -> tuple[Part, ...]:
    """The message's text, then each file: images, and PDFs for a model that reads them,
    as bytes; everything else, and any file chosen as text, as its extracted text headed
    by the file's name."""
    found: list[Part] = [TextPart(text)] if text else []
    native = vision(model)
    for stored in files:
        if as_text(stored):
            found.append(TextPart(f"{stored.name}:\n\n{stored.text}"))
        elif stored.kind == StoredFile.Kind.IMAGE:
            found.append(ImagePart(stored.mime, read(stored), stored.name))
        elif stored.mime in NATIVE and native:
            found.append(DocumentPart(stored.mime, read(stored), stored.name))
        else:
            found.append(TextPart(f"{stored.name}:\n\n{stored.text}"))
    return tuple(found)


def read(stored: StoredFile) -> bytes:
    with storage.storage(stored.storage).open(stored.key, "rb") as handle:
        return handle.read()
