"""The `/v1` edge: key, per-IP limit, parse, one relay call, render; async under daphne.

`GET /v1/models`, `POST /v1/chat/completions` (OpenAI) and `POST /v1/messages`
(Anthropic). A key comes as `Authorization: Bearer KEY` or `x-api-key: KEY`.
Streams are Server-Sent Events; a turn that fails before its first text is an
HTTP error (a 502 naming the endpoint when the upstream failed), after it an
error event in the stream.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.views.decorators.csrf import csrf_exempt

from accounts.models import ApiKey
from chatapp import metrics
from chatapp.conf import dbthreads
from chatapp.engine import admission
from chatapp.gateway import anthropic_wire, callers, catalog, openai_wire, relay
from chatapp.gateway.call import Call, Delta, Outcome
from chatapp.gateway.errors import ApiError, bad_request, not_saved

log = logging.getLogger(__name__)
Render = Callable[[ApiError], dict[str, Any]]
View = Callable[[HttpRequest], Awaitable[HttpResponse]]


def _database_failures(render: Render) -> Callable[[View], View]:
    """A request whose database work fails before the answer starts (a restart, a lock) is
    answered `not_saved` in the wire's shape: its transaction saved nothing, no provider
    was asked, and the client may try again. After the answer started, the generation
    reports a failed save in the stream itself."""

    def wrap(view: View) -> View:
        @functools.wraps(view)
        async def guarded(request: HttpRequest) -> HttpResponse:
            try:
                return await view(request)
            except DatabaseError:
                log.exception("a /v1 request failed on the database")
                metrics.errors.labels("database", "not_saved").inc()
                return _error(not_saved(), render)

        return guarded

    return wrap


@csrf_exempt
@_database_failures(openai_wire.error_body)
async def models(request: HttpRequest) -> HttpResponse:
    try:
        key = await _admit(request, "GET")
        offered = await catalog.offered(key.user, key)
    except ApiError as error:
        return _error(error, openai_wire.error_body)
    return JsonResponse(openai_wire.model_list((item.id, item.endpoint) for item in offered))


@csrf_exempt
@_database_failures(openai_wire.error_body)
async def chat_completions(request: HttpRequest) -> HttpResponse:
    try:
        key = await _admit(request, "POST")
        call = openai_wire.parse(_json(request))
        if settings.ENFORCE_INCLUDE_USAGE:
            call = openai_wire.with_usage(call)
        events, first, response_id = await _begin(request, key, call)
        if not call.stream:
            return JsonResponse(openai_wire.completion(call, await _last(events, first)))
    except ApiError as error:
        return _error(error, openai_wire.error_body)
    return _sse(openai_wire.sse(call, events, first, response_id))


@csrf_exempt
@_database_failures(anthropic_wire.error_body)
async def messages(request: HttpRequest) -> HttpResponse:
    try:
        key = await _admit(request, "POST")
        call = anthropic_wire.parse(_json(request))
        events, first, response_id = await _begin(request, key, call)
        if not call.stream:
            return JsonResponse(anthropic_wire.message(call, await _last(events, first)))
    except ApiError as error:
        return _error(error, anthropic_wire.error_body)
    return _sse(anthropic_wire.sse(call, events, first, response_id))


async def _admit(request: HttpRequest, method: str) -> ApiKey:
    """The method, then who calls (`callers.admit`) on a database thread."""
    if request.method != method:
        raise ApiError(405, "invalid_request_error", f"Use {method} here.", "method_not_allowed")
    return await dbthreads.run(callers.admit, _key_text(request), request.META.get("REMOTE_ADDR"))


def _key_text(request: HttpRequest) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return request.headers.get("x-api-key") or None


def _json(request: HttpRequest) -> Any:
    try:
        return json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        message = "We could not parse the JSON body of your request: the body must be JSON."
        raise bad_request(message, "body", "invalid_json") from None


async def _begin(request: HttpRequest, key: ApiKey, call: Call):
    """Start the turn and read its first event: a failure before any text is an HTTP error."""
    client = admission.Client(request.META.get("REMOTE_ADDR") or None, None)
    started = await relay.start(key.user, key, client, call)
    events = relay.run(started)
    first = await anext(events)
    if isinstance(first, Outcome) and first.error is not None:
        await events.aclose()
        raise first.error
    return events, first, str(started.turn.response.id)


async def _last(events: AsyncIterator[Delta | Outcome], first: Delta | Outcome) -> Outcome:
    """A call that does not stream: its outcome (an error ends it as an HTTP error)."""
    event = first
    try:
        while not isinstance(event, Outcome):
            event = await anext(events)
    finally:
        await events.aclose()
    if event.error is not None:
        raise event.error
    return event


def _sse(body: AsyncIterator[str]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(body, content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # proxies pass each event on at once
    return response


def _error(error: ApiError, render: Render) -> JsonResponse:
    return JsonResponse(render(error), status=error.status)
