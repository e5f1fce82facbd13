"""A file's bytes as an HTTP response: the one way every view serves a stored file.

Callers decide who may see the file (its owner: chatapp/files/views.py; a shared
link's viewers, for the files of its snapshot: chatapp/views.py); this module
only answers. Images that every provider reads are shown inline, anything else
is a download, and the response can neither be sniffed into another type nor
run script (`nosniff`, a sandboxing CSP). `private` keeps shared caches out.
"""

from __future__ import annotations

from django.http import FileResponse, HttpResponse

from chatapp.files import inspection, storage
from chatapp.models import StoredFile


def respond(stored: StoredFile) -> HttpResponse:
    """The bytes of `stored`, already authorised by the caller."""
    inline = stored.mime in inspection.PROVIDER_IMAGES
    response = FileResponse(
        storage.storage(stored.storage).open(stored.key, "rb"),
        content_type=stored.mime,
        as_attachment=not inline,
        filename=stored.name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=300"
    return response
