"""The conversation JSON API (session-authenticated, CSRF-protected).

Each view: access → one domain call → JSON. Another user's ids are 404.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chatapp import access, conversations, payload, sharing, transfer
from chatapp.conversations import BadRequest


def json_api(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in users only; 401/400/404 as JSON errors with a clear message."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return _error(401, "not_authenticated", "Sign in first.")
        try:
            return view(request, *args, **kwargs)
        except Http404 as missing:
            return _error(404, "not_found", str(missing) or "Not found.")
        except BadRequest as bad:
            return _error(400, "bad_request", str(bad))
        except PermissionDenied as denied:
            return _error(403, "forbidden", str(denied) or "Not allowed.")

    return wrapper


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


def _body(request: HttpRequest) -> dict[str, Any]:
    data = _json(request.body or b"{}", "The request body", payload.MAX_DEPTH)
    if not isinstance(data, dict):
        raise BadRequest("The request body is a JSON object.")
    return data


def _json(raw: bytes, what: str, depth: int) -> Any:
    try:
        return payload.loads(raw, what=what, max_depth=depth)
    except payload.BadInput as bad:
        raise BadRequest(str(bad)) from None


def _limit(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("limit", conversations.PAGE_SIZE))
    except ValueError:
        raise BadRequest("limit: a whole number.") from None


@require_GET
@json_api
def conversation_list(request: HttpRequest) -> JsonResponse:
    archived = request.GET.get("archived", "false").lower() in ("1", "true", "yes")
    page = conversations.list_page(
        request.user, archived=archived, cursor=request.GET.get("cursor"), limit=_limit(request)
    )
    items = [conversations.conversation_dict(c) for c in page.conversations]
    return JsonResponse({"conversations": items, "next_cursor": page.next_cursor})


@require_http_methods(["GET", "PATCH", "DELETE"])
@json_api
def conversation_detail(request: HttpRequest, conversation_id: str) -> HttpResponse:
    conversation = access.get_conversation_for(request.user, conversation_id)
    if request.method == "PATCH":
        conversation = conversations.update(conversation, _body(request))
        return JsonResponse(conversations.conversation_dict(conversation))
    if request.method == "DELETE":
        conversations.delete(conversation)
        return HttpResponse(status=204)
    return JsonResponse(conversations.tree(conversation))


@require_POST
@json_api
def conversation_fork(request: HttpRequest, conversation_id: str) -> JsonResponse:
    conversation = access.get_conversation_for(request.user, conversation_id)
    message_id = _body(request).get("message_id")
    if not message_id:
        raise BadRequest("message_id: the message to fork from is required.")
    message = access.get_message_for(request.user, conversation, message_id)
    copy = conversations.fork(request.user, conversation, message)
    return JsonResponse(conversations.conversation_dict(copy), status=201)


@require_http_methods(["GET", "POST"])
@json_api
def conversation_shares(request: HttpRequest, conversation_id: str) -> JsonResponse:
    conversation = access.get_conversation_for(request.user, conversation_id)
    if request.method == "GET":
        links = [sharing.link_dict(link, _share_url(request, link.token))
                 for link in conversation.shared_links.all()]  # fmt: skip
        return JsonResponse({"shares": links})
    message_id = _body(request).get("message_id")
    message = access.get_message_for(request.user, conversation, message_id) if message_id else None
    link = sharing.create_link(conversation, message)
    return JsonResponse(sharing.link_dict(link, _share_url(request, link.token)), status=201)


@require_http_methods(["DELETE"])
@json_api
def share_revoke(request: HttpRequest, token: str) -> HttpResponse:
    access.get_shared_link_for(request.user, token).delete()
    return HttpResponse(status=204)


@require_GET
@json_api
def conversation_export(request: HttpRequest, conversation_id: str) -> HttpResponse:
    conversation = access.get_conversation_for(request.user, conversation_id)
    kind = request.GET.get("format", "json")
    if kind == "json":
        body = json.dumps(transfer.export_json(conversation), ensure_ascii=False, indent=2)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    elif kind in ("md", "markdown"):
        body = transfer.export_markdown(conversation)
        response = HttpResponse(body, content_type="text/markdown; charset=utf-8")
        kind = "md"
    elif kind in ("txt", "text"):
        body = transfer.export_text(conversation)
        response = HttpResponse(body, content_type="text/plain; charset=utf-8")
        kind = "txt"
    else:
        raise BadRequest("format: 'json', 'md' or 'txt'.")
    response["Content-Disposition"] = (
        f'attachment; filename="conversation-{conversation.id}.{kind}"'
    )
    return response


@require_POST
@json_api
def conversation_import(request: HttpRequest) -> JsonResponse:
    upload = request.FILES.get("file")  # its size is bounded before it is read (bodylimit)
    raw = upload.read() if upload is not None else request.body
    data = _json(raw, "The file", transfer.MAX_DEPTH)
    imported = transfer.import_file(request.user, data)
    first = conversations.conversation_dict(imported.conversations[0])
    ids = [str(conversation.id) for conversation in imported.conversations]
    return JsonResponse(first | {"imported": ids, "skipped": imported.skipped}, status=201)


def _share_url(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(reverse("shared", args=[token]))
