"""The files a user sees on the Files page and in GET /api/files, and the ones they reuse.

Avatars are left out: they are the account's picture (chatapp/files/avatars.py), not
something to attach. Names are searched case-insensitively anywhere in the name.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet
from django.http import Http404

from chatapp import access
from chatapp.models import StoredFile

MAX_REUSE = 50  # the send checks the endpoint's fileLimit; this only bounds the lookups


def uploads_of(user, query: str = "") -> QuerySet[StoredFile]:
    """The user's uploads, newest first; `query` keeps those whose name contains it."""
    found = access.files_for(user).exclude(kind=StoredFile.Kind.AVATAR)
    query = query.strip()
    return found.filter(name__icontains=query) if query else found


def get_upload_for(user, file_id: object) -> StoredFile:
    """One of the user's uploads (not their avatar), or 404."""
    stored = access.get_file_for(user, file_id)
    if stored.kind == StoredFile.Kind.AVATAR:
        raise Http404("No such file.")
    return stored


def reusable(user, ids: Iterable[str]) -> list[StoredFile]:
    """The uploads a new message starts with (`?attach=`), in order, each once; 404 for an
    id that is not one of the user's uploads."""
    wanted = list(dict.fromkeys(i for i in ids if i))[:MAX_REUSE]
    return [get_upload_for(user, file_id) for file_id in wanted]
