"""A user's avatar: one image, kept as a stored file of kind `avatar`, served to its owner.

`replace(user, upload)` takes a new avatar: within the upload rate limits and
`fileConfig.avatarSizeLimit` (LibreChat's default 2 MB, 1 MB = 1024² bytes), of a
type sniffed from the bytes (PNG, JPEG, GIF or WebP) that opens in Pillow within
its pixel limit. It is stored as LibreChat stores avatars: cropped to 250×250 and
re-encoded as PNG (which also drops EXIF data and any bytes hidden after the
image), under the avatar kind's `fileStrategy`. The previous avatar is removed with
the same commit. Its bytes are served only to its owner (GET /api/files/<id>/content),
so it shows on the owner's own pages and messages and nowhere else.
"""

from __future__ import annotations

import io
from typing import IO

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from PIL import Image, ImageOps

from chatapp import access
from chatapp.files import inspection, policy, uploads
from chatapp.files.policy import Refused
from chatapp.files.sniff import HEAD_BYTES, sniff
from chatapp.models import StoredFile
from endpoints import files as fileconfig

SIDE = 250  # LibreChat's avatar size (resizeAvatar)
AVATAR = StoredFile.Kind.AVATAR


def size_limit() -> int:
    """fileConfig.avatarSizeLimit in bytes."""
    return fileconfig.avatar_limit(policy.file_config())


def current(user) -> StoredFile | None:
    return access.files_for(user).filter(kind=AVATAR).first()


def url_for(user) -> str:
    """Where the user's avatar is served (to them alone), or "" without one."""
    found = current(user)
    return reverse("api:file-content", args=[found.pk]) if found else ""


def replace(user, upload: uploads.Upload, ip: str | None = None) -> StoredFile:
    """Check `upload` and make it the user's avatar; raise Refused without storing."""
    policy.count_upload(user, ip)
    check(upload)
    data = square_png(upload)
    name = uploads.display_name(upload.name)
    fields = {"name": name, "mime": "image/png", "kind": AVATAR, "size": len(data)}
    with transaction.atomic():
        previous = list(access.files_for(user).filter(kind=AVATAR))
        stored = uploads.save(user, ContentFile(data, name="avatar.png"), fields)
        for old in previous:
            uploads.delete(old)
    return stored


def check(upload: uploads.Upload) -> None:
    size, limit = upload.size or 0, size_limit()
    if size <= 0:
        raise Refused("empty_file", "The file is empty (0 bytes).")
    if size > limit:
        message = f"The image is {uploads.megabytes(size)}: over the avatar limit of "
        raise Refused("file_too_large", message + f"{uploads.megabytes(limit)}.", 413)
    upload.seek(0)
    mime = sniff(upload.read(HEAD_BYTES), upload.name or "")
    if mime not in inspection.PROVIDER_IMAGES:
        message = "An avatar must be a PNG, JPEG, GIF or WebP image"
        raise Refused("unsupported_type", message + (f" (this is {mime})." if mime else "."), 415)
    try:
        inspection.check(upload, mime)
    except inspection.Unreadable as error:
        raise Refused("unreadable", str(error)) from None


def square_png(stream: IO[bytes]) -> bytes:
    """The image turned upright, cropped to its centre square, SIDE pixels, as PNG."""
    stream.seek(0)
    with Image.open(stream) as image:
        upright = ImageOps.exif_transpose(image).convert("RGBA")
    square = ImageOps.fit(upright, (SIDE, SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    square.save(out, "PNG")
    return out.getvalue()


def remove(user) -> None:
    """Remove the user's avatar (their initial shows again)."""
    with transaction.atomic():
        for stored in access.files_for(user).filter(kind=AVATAR):
            uploads.delete(stored)
