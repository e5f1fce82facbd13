"""The mock provider's ASGI app: route a request to its wire format, then answer.

Timing, failures and recording are the same for every wire format, so they
live here; the wire modules only know their own JSON and framing.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from types import ModuleType
from typing import Any
from urllib.parse import parse_qsl

from . import anthropic_wire, bedrock_wire, gemini_wire, openai_wire
from .behaviour import Behaviour, Failure, RecordedRequest, Recorder, Sent
from .http import Response, json_response
from .replies import Prompt, plan

log = logging.getLogger(__name__)

Send = Callable[[dict[str, Any]], Awaitable[None]]
Receive = Callable[[], Awaitable[dict[str, Any]]]

GEMINI = re.compile(
    r"/(v1|v1beta)/models/(?P<model>[^/:]+):(?P<action>streamGenerateContent|generateContent)$"
)
# Model ids may be inference-profile ARNs, slashes included.
BEDROCK = re.compile(r"/model/(?P<model>.+)/(?P<action>converse-stream|converse)$")
STREAMS_PATH = "/mock/streams"  # GET: what was streamed and when (for bench/)


class Disconnect(Exception):
    """Raised mid-stream so the server drops the connection (an injected failure)."""


class MockApp:
    def __init__(self, behaviour: Behaviour | None = None) -> None:
        self.behaviour = behaviour or Behaviour()
        self.recorder = Recorder()

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        arrived = time.time()  # before the body is read: when the request reached the provider
        request = await _read(scope, receive)
        request.sent.received_at = arrived
        if request.path == STREAMS_PATH:
            await _send(send, self.streams(), self.behaviour, request.sent)
            return
        self.recorder.add(request)
        response = self.route(request)
        await _send(send, response, self.behaviour, request.sent)

    def route(self, request: RecordedRequest) -> Response:
        path = request.path
        if request.method == "GET":
            return self._list(request)
        if match := GEMINI.search(path):
            streaming = match["action"] == "streamGenerateContent"
            prompt = gemini_wire.parse(request, match["model"], streaming)
            refused = gemini_wire.unsigned(request, self.behaviour)
            return refused or self._chat(gemini_wire, request, prompt)
        if match := BEDROCK.search(path):
            prompt = bedrock_wire.parse(
                request, match["model"], match["action"] == "converse-stream"
            )
            return self._chat(bedrock_wire, request, prompt)
        if path.endswith("/messages"):
            return self._chat(anthropic_wire, request, anthropic_wire.parse(request))
        if path.endswith("/moderations"):
            return self._moderation(request)
        # Chat Completions under any prefix, Azure deployments, and any other path a
        # `directEndpoint` names: whatever POST carries `messages` is OpenAI's format.
        if path.endswith("/completions") or "messages" in (request.body or {}):
            return self._chat(openai_wire, request, openai_wire.parse(request))
        return json_response(404, {"error": {"message": f"no mock route for {path}"}})

    def streams(self) -> Response:
        """Every streamed reply so far: prompt, text, and when its content went out."""
        sent = [r.sent for r in self.recorder.all() if r.sent.first_content_at is not None]
        return json_response(200, {"streams": [asdict(s) for s in sent]})

    def _list(self, request: RecordedRequest) -> Response:
        if request.path.endswith("/api/tags"):
            return openai_wire.ollama_tags(self.behaviour)
        if request.header("x-goog-api-key") or request.path.startswith("/v1beta"):
            return gemini_wire.models(self.behaviour)
        if request.header("anthropic-version"):
            return anthropic_wire.models(self.behaviour)
        if request.path.endswith("/models"):
            failure = self.behaviour.take_failure(request.api_key)
            if failure is not None and failure in _ERROR_FAILURES:
                return openai_wire.error(failure, "", self.behaviour)
            return openai_wire.models(self.behaviour)
        return json_response(404, {"error": {"message": f"no mock route for {request.path}"}})

    def _moderation(self, request: RecordedRequest) -> Response:
        failure = self.behaviour.take_failure()
        if failure in _ERROR_FAILURES:
            return openai_wire.error(failure, "", self.behaviour)
        if failure is Failure.MALFORMED:
            return json_response(200, {"id": "modr-garbage", "outcome": "??"})
        return openai_wire.moderation(request)

    def _chat(self, wire: ModuleType, request: RecordedRequest, prompt: Prompt) -> Response:
        failure = self.behaviour.take_failure(request.api_key)
        if failure in (Failure.HANGUP, Failure.STALL):
            stall = self.behaviour.stall_seconds if failure is Failure.STALL else 0.0
            return Response(0, hangup=True, stall=stall)
        if failure in _ERROR_FAILURES:
            return wire.error(failure, prompt.model, self.behaviour)
        reply = plan(prompt, self.behaviour.reply_tokens, getattr(wire, "CALL_PREFIX", "call_"))
        request.sent.prompt, request.sent.text = prompt.last_user_text, reply.full_text
        if not prompt.stream:
            return wire.complete(request, prompt, reply, self.behaviour)
        response = wire.stream(request, prompt, reply, self.behaviour)
        response.disconnect = failure is Failure.DISCONNECT
        if failure is not Failure.MALFORMED:
            response.malformed = b""
        return response


_ERROR_FAILURES = {
    Failure.AUTH,
    Failure.RATE_LIMIT,
    Failure.SERVER,
    Failure.CONTEXT,
    Failure.UNKNOWN_MODEL,
}


async def _read(scope: dict[str, Any], receive: Receive) -> RecordedRequest:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    raw = b"".join(chunks)
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        body = None
    return RecordedRequest(
        method=scope["method"],
        path=scope["path"],
        query=dict(parse_qsl(scope.get("query_string", b"").decode())),
        headers={k.decode().lower(): v.decode() for k, v in scope["headers"]},
        body=body,
    )


async def _send(send: Send, response: Response, behaviour: Behaviour, sent: Sent) -> None:
    if response.hangup:  # an injected failure before any reply
        await asyncio.sleep(response.stall)
        raise Disconnect("injected disconnect before the reply")
    headers = [(k.encode(), v.encode()) for k, v in response.headers.items()]
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    if response.frames is None:
        await send({"type": "http.response.body", "body": response.body})
        return
    await _stream(send, response, behaviour, sent)
    await send({"type": "http.response.body", "body": b""})


async def _stream(send: Send, response: Response, behaviour: Behaviour, sent: Sent) -> None:
    frames = response.frames or ()
    content_total = 0
    if response.disconnect:  # half way: count them first
        frames = list(frames)
        content_total = sum(frame.content for frame in frames)
    count = 0
    for frame in frames:
        if frame.content:
            pause = behaviour.ttft_ms / 1000 if count == 0 else _gap(behaviour)
            if pause:
                await asyncio.sleep(pause)
            if response.disconnect and count >= max(1, content_total // 2):
                raise Disconnect("injected mid-stream disconnect")
            count += 1
            sent.content_sent(time.time())
        await send({"type": "http.response.body", "body": frame.data, "more_body": True})
        if frame.content and count == 1 and response.malformed:
            await send(
                {"type": "http.response.body", "body": response.malformed, "more_body": True}
            )


def _gap(behaviour: Behaviour) -> float:
    return 1 / behaviour.tokens_per_second if behaviour.tokens_per_second > 0 else 0.0
