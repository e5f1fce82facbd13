"""The files JSON API and the bytes of a file, for its owner only.

POST /api/files (multipart: `file`, `endpoint`, optional `conversation_id`)
stores one upload; GET /api/files lists the user's files (`q` searches names);
GET and DELETE /api/files/<id>; GET /api/files/<id>/content serves the bytes
(chatapp/files/serving.py). Anyone else's id is 404.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from chatapp import access
from chatapp.api import json_api
from chatapp.conversations import BadRequest
from chatapp.files import attachments, listing, serving, uploads
from chatapp.files.policy import Refused
from chatapp.models import StoredFile

PAGE = 100


def file_dict(stored: StoredFile) -> dict:
    return {
        **attachments.described(stored),
        "sha256": stored.sha256,
        "conversation_id": str(stored.conversation_id) if stored.conversation_id else None,
        "attached": stored.attached_at is not None,
        "created_at": stored.created_at.isoformat(),
        "url": reverse("api:file-content", args=[stored.id]),
    }


def _refused(refusal: Refused) -> JsonResponse:
    body = {"error": {"code": refusal.code, "message": refusal.message}}
    return JsonResponse(body, status=refusal.status)


@require_http_methods(["GET", "POST"])
@json_api
def file_list(request: HttpRequest) -> JsonResponse:
    if request.method == "POST":
        return _upload(request)
    found = listing.uploads_of(request.user, request.GET.get("q", ""))
    return JsonResponse({"files": [file_dict(f) for f in found[:PAGE]]})


def _upload(request: HttpRequest) -> JsonResponse:
    upload = request.FILES.get("file")
    endpoint = request.POST.get("endpoint", "").strip()
    if upload is None or not endpoint:
        raise BadRequest("Send one `file` and the `endpoint` it is for.")
    try:
        stored = uploads.store(
            request.user,
            upload,
            endpoint=endpoint,
            conversation_id=request.POST.get("conversation_id") or None,
            ip=request.META.get("REMOTE_ADDR"),
        )
    except Refused as refusal:
        return _refused(refusal)
    return JsonResponse(file_dict(stored), status=201)


@require_http_methods(["GET", "DELETE"])
@json_api
def file_detail(request: HttpRequest, file_id: str) -> HttpResponse:
    stored = access.get_file_for(request.user, file_id)
    if request.method == "DELETE":
        uploads.delete(stored)
        return HttpResponse(status=204)
    return JsonResponse(file_dict(stored))


@require_GET
@json_api
def file_content(request: HttpRequest, file_id: str) -> HttpResponse:
    return serving.respond(access.get_file_for(request.user, file_id))
