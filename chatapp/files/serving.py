"""A file's bytes as an HTTP response: the one way every view serves a stored file.

Callers decide who may see the file (its owner: chatapp/files/views.py; a shared
link's viewers, for the files of its snapshot: chatapp/views.py); this module
only answers. Images that every provider reads are shown inline, anything else
is a download. Local files are streamed, and the response can neither be sniffed
into another type nor run script (`nosniff`, a sandboxing CSP); `private` keeps
shared caches out. Files on S3 answer with a redirect to a presigned URL that
lives S3_URL_EXPIRY_SECONDS (LibreChat's default, 120), on Azure Blob to a SAS
URL as short-lived (the blob's plain URL with AZURE_STORAGE_PUBLIC_ACCESS), each
asking the store to answer with the sniffed type and the Content-Disposition.
`signed_url(stored)` is that URL alone (None for local files). `image_origins()`
are the stores' origins, which the pages' Content-Security-Policy allows as image
sources (chatapp/middleware.py), so that a thumbnail redirected there shows.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.utils.http import content_disposition_header

from chatapp.files import inspection, storage
from chatapp.models import StoredFile


def disposition(stored: StoredFile) -> str:
    """Images inline, anything else as a download, under the user's file name."""
    inline = stored.mime in inspection.PROVIDER_IMAGES
    return content_disposition_header(not inline, stored.name)


def signed_url(stored: StoredFile) -> str | None:
    """A short-lived URL of the bytes in their remote store; None for local files."""
    if stored.storage == "s3":
        parameters = {
            "ResponseContentType": stored.mime,
            "ResponseContentDisposition": disposition(stored),
        }
        return storage.storage("s3").url(stored.key, parameters=parameters)
    if stored.storage == "azure_blob":
        parameters = {"content_type": stored.mime, "content_disposition": disposition(stored)}
        return storage.storage("azure_blob").url(stored.key, parameters=parameters)
    return None


def respond(stored: StoredFile) -> HttpResponse:
    """The bytes of `stored`, already authorised by the caller."""
    if url := signed_url(stored):
        response: HttpResponse = HttpResponseRedirect(url)
        response["Cache-Control"] = "private, no-store"  # the URL outlives no cache
        response["Referrer-Policy"] = "no-referrer"
        return response
    response = FileResponse(
        storage.storage(stored.storage).open(stored.key, "rb"), content_type=stored.mime
    )
    response["Content-Disposition"] = disposition(stored)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=300"
    return response


def image_origins() -> tuple[str, ...]:
    """The origins of the configured remote stores (computed locally, no request made)."""
    found = storage.configured()
    urls = []
    if found.s3 is not None:
        urls.append(storage.storage("s3").url("origin"))
    if found.azure is not None:
        urls.append(storage.azure_account_url(found.azure))
    return tuple(f"{part.scheme}://{part.netloc}" for part in map(urlsplit, urls))
