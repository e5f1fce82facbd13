"""Anthropic Messages API: `/v1/messages` (event stream or JSON) and `/v1/models`."""

from __future__ import annotations

import json
import uuid
from typing import Any

from . import parts
from .behaviour import Behaviour, Failure, RecordedRequest
from .http import Response, body_json, json_response, sse
from .replies import Forced, Plan, Prompt, conversation, forced, last_user, max_tokens, text_of

CALL_PREFIX = "toolu_"
# The reply's finish (endpoints/mock/replies.py) as Anthropic's stop_reason.
STOP = {
    "stop": "end_turn",
    "length": "max_tokens",
    "content_filter": "refusal",
    "tool_calls": "tool_use",
}
SSE_HEADERS = {"content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache"}


def parse(request: RecordedRequest) -> Prompt:
    body = body_json(request)
    system = text_of(body.get("system"))
    messages, results = conversation(
        [
            (str(m.get("role", "user")), text_of(m.get("content")), _results(m.get("content")))
            for m in body.get("messages", [])
            if isinstance(m, dict)
        ]
    )
    thinking = body.get("thinking")
    return Prompt(
        model=str(body.get("model", "")),
        messages=((("system", system),) if system else ()) + messages,
        stream=bool(body.get("stream")),
        reasoning=isinstance(thinking, dict) and thinking.get("type") in ("enabled", "adaptive"),
        results=results,
        parts=parts.anthropic(last_user(body.get("messages")).get("content")),
        max_tokens=max_tokens(body.get("max_tokens")),
        forced=_forced(body),
    )


def _forced(body: dict[str, Any]) -> Forced | None:
    """`tool_choice: {"type": "tool", "name": ...}`."""
    choice = body.get("tool_choice")
    named = (
        choice.get("name") if isinstance(choice, dict) and choice.get("type") == "tool" else None
    )
    tools = {
        t.get("name"): t.get("input_schema") for t in body.get("tools") or () if isinstance(t, dict)
    }
    return forced(named, tools)


def _results(content: Any) -> tuple[str, ...] | None:
    """The texts of a user message's `tool_result` blocks; None when it has none."""
    if not isinstance(content, list):
        return None
    found = [b for b in content if isinstance(b, dict) and b.get("type") == "tool_result"]
    return tuple(text_of(b.get("content")) for b in found) or None


def _usage(plan: Plan, behaviour: Behaviour, output: int) -> dict[str, Any] | None:
    if behaviour.omit_usage:
        return None
    return {
        "input_tokens": behaviour.reported("prompt", plan.prompt_tokens),
        "output_tokens": behaviour.reported("completion", output),
        "cache_creation_input_tokens": behaviour.reported(
            "cache_write", behaviour.cache_write_tokens
        ),
        "cache_read_input_tokens": behaviour.reported("cache_read", behaviour.cache_read_tokens),
    }


def _message(prompt: Prompt, content: list, usage: dict | None, stop: str | None) -> dict:
    message = {
        "id": f"msg_{uuid.uuid4().hex[:24]}",
        "type": "message",
        "role": "assistant",
        "model": prompt.model,
        "content": content,
        "stop_reason": stop,
        "stop_sequence": None,
    }
    return message if usage is None else {**message, "usage": usage}


def _block(index: int, start: dict, deltas: list[dict]) -> list:
    frames = [
        sse(
            {"type": "content_block_start", "index": index, "content_block": start},
            "content_block_start",
        )
    ]
    for delta in deltas:
        event = {"type": "content_block_delta", "index": index, "delta": delta}
        frames.append(sse(event, "content_block_delta", content=delta["type"] != "signature_delta"))
    frames.append(sse({"type": "content_block_stop", "index": index}, "content_block_stop"))
    return frames


def stream(request: RecordedRequest, prompt: Prompt, plan: Plan, behaviour: Behaviour) -> Response:
    start = _message(prompt, [], _usage(plan, behaviour, 1), None)
    frames = [
        sse({"type": "message_start", "message": start}, "message_start"),
        sse({"type": "ping"}, "ping"),
    ]
    index = 0
    if plan.reasoning:
        deltas = [{"type": "thinking_delta", "thinking": piece} for piece in plan.reasoning]
        deltas.append({"type": "signature_delta", "signature": "mock-signature"})
        frames += _block(index, {"type": "thinking", "thinking": "", "signature": ""}, deltas)
        index += 1
    if plan.text and _offers_native_search(request):
        frames += _native_search(index, prompt.last_user_text)
        index += 2
    if plan.text:
        deltas = [{"type": "text_delta", "text": piece} for piece in plan.text]
        frames += _block(index, {"type": "text", "text": ""}, deltas)
        index += 1
    for call in plan.calls:
        start = {"type": "tool_use", "id": call.id, "name": call.name, "input": {}}
        pieces = [{"type": "input_json_delta", "partial_json": p} for p in call.pieces]
        frames += _block(index, start, pieces)
        index += 1
    delta: dict[str, Any] = {
        "type": "message_delta",
        "delta": {"stop_reason": STOP[plan.finish], "stop_sequence": None},
    }
    if not behaviour.omit_usage:
        delta["usage"] = {"output_tokens": behaviour.reported("completion", plan.completion_tokens)}
    frames.append(sse(delta, "message_delta"))
    frames.append(sse({"type": "message_stop"}, "message_stop"))
    malformed = sse(
        {
            "type": "content_block_delta",
            "index": max(0, index - 1),
            "delta": {"type": "text_delta"},
        },
        "content_block_delta",
    ).data
    return Response(200, dict(SSE_HEADERS), frames=frames, malformed=malformed)


def _offers_native_search(request: RecordedRequest) -> bool:
    tools = body_json(request).get("tools") or ()
    return any(
        str(t.get("type", "")).startswith("web_search_") for t in tools if isinstance(t, dict)
    )


def _native_search(index: int, query: str) -> list:
    """Anthropic's own web search, run by the provider before it answers: a
    `server_tool_use` block and its `web_search_tool_result` (no call for the client)."""
    call_id = f"srvtoolu_{uuid.uuid4().hex[:24]}"
    use = {"type": "server_tool_use", "id": call_id, "name": "web_search", "input": {}}
    asked = [{"type": "input_json_delta", "partial_json": json.dumps({"query": query})}]
    found = {"type": "web_search_result", "url": "https://example.com/", "title": "Example",
             "encrypted_content": "mock", "page_age": None}  # fmt: skip
    result = {"type": "web_search_tool_result", "tool_use_id": call_id, "content": [found]}
    return _block(index, use, asked) + _block(index + 1, result, [])


def complete(request: RecordedRequest, prompt: Prompt, plan: Plan, behaviour: Behaviour):
    content: list[dict[str, Any]] = []
    if plan.reasoning:
        content.append({"type": "thinking", "thinking": plan.full_reasoning, "signature": "mock"})
    if plan.text or not plan.calls:
        content.append({"type": "text", "text": plan.full_text})
    for call in plan.calls:
        content.append(
            {"type": "tool_use", "id": call.id, "name": call.name, "input": _input(call)}
        )
    usage = _usage(plan, behaviour, plan.completion_tokens)
    return json_response(200, _message(prompt, content, usage, STOP[plan.finish]))


def _input(call: Any) -> Any:
    try:
        return json.loads(call.arguments)
    except ValueError:
        return {}


_ERRORS = {
    Failure.AUTH: (401, "authentication_error", "invalid x-api-key"),
    Failure.RATE_LIMIT: (
        429,
        "rate_limit_error",
        "Number of requests has exceeded your rate limit.",
    ),
    Failure.SERVER: (529, "overloaded_error", "Overloaded"),
    Failure.CONTEXT: (
        400,
        "invalid_request_error",
        "prompt is too long: 250000 tokens > 200000 maximum",
    ),
    Failure.UNKNOWN_MODEL: (404, "not_found_error", "model: {model}"),
}


def error(failure: Failure, model: str, behaviour: Behaviour) -> Response:
    status, kind, message = _ERRORS[failure]
    headers = {"retry-after": str(behaviour.retry_after)} if status == 429 else {}
    body = {"type": "error", "error": {"type": kind, "message": message.format(model=model)}}
    return json_response(status, body, headers)


def models(behaviour: Behaviour) -> Response:
    data = [
        {"type": "model", "id": name, "display_name": name, "created_at": "2025-01-01T00:00:00Z"}
        for name in behaviour.models
    ]
    return json_response(
        200,
        {
            "data": data,
            "has_more": False,
            "first_id": data[0]["id"] if data else None,
            "last_id": data[-1]["id"] if data else None,
        },
    )
