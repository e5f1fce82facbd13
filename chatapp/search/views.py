"""Search over HTTP: the JSON API (`/api/search`) and the sidebar's results fragment."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from chatapp.api import json_api
from chatapp.search import service
from chatapp.search.base import ConversationHit, SearchPage
from chatapp.search.query import BadCursor


@require_GET
@json_api
def search_api(request: HttpRequest) -> JsonResponse:
    try:
        page = service.search(request.user, request.GET.get("q"), request.GET.get("cursor"))
    except BadCursor as error:
        return JsonResponse({"error": {"code": "bad_request", "message": str(error)}}, status=400)
    return JsonResponse(page_dict(page))


def results(request: HttpRequest, query: str) -> HttpResponse:
    """The sidebar while the filter box holds a query (called by views.conversation_list)."""
    try:
        page = service.search(request.user, query, request.GET.get("cursor"))
    except BadCursor as error:
        return HttpResponseBadRequest(str(error))
    return render(request, "search/results.html", {"page": page})


def page_dict(page: SearchPage) -> dict[str, Any]:
    return {
        "query": page.query,
        "results": [hit_dict(hit) for hit in page.results],
        "next_cursor": page.next_cursor,
        "backend": page.backend,
        "notice": page.notice,
    }


def hit_dict(hit: ConversationHit) -> dict[str, Any]:
    """Snippets are lists of {text, hit} pieces: the client marks the hits, escaping all."""
    return {
        "conversation_id": hit.id,
        "title": hit.title,
        "title_snippet": [asdict(s) for s in hit.title_snippet],
        "archived": hit.archived,
        "updated_at": hit.updated_at.isoformat(),
        "jump_to": hit.jump_to,
        "messages": [
            {"id": m.id, "role": m.role, "snippet": [asdict(s) for s in m.snippet]}
            for m in hit.messages
        ],
    }
