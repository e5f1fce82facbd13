"""OpenAI Chat Completions (also Azure's deployment paths), models and moderations."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from . import parts
from .behaviour import Behaviour, Failure, RecordedRequest
from .http import Frame, Response, body_json, dumps, json_response, sse
from .replies import Forced, Plan, Prompt, conversation, forced, last_user, max_tokens, text_of

SSE_HEADERS = {"content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache"}


def parse(request: RecordedRequest) -> Prompt:
    body = body_json(request)
    messages, results = conversation(
        [
            (
                str(m.get("role", "user")),
                text_of(m.get("content")),
                (text_of(m.get("content")),) if m.get("role") == "tool" else None,
            )
            for m in body.get("messages", [])
            if isinstance(m, dict)
        ]
    )
    model = str(body.get("model") or request.path.split("/deployments/")[-1].split("/")[0])
    asked = bool(body.get("reasoning_effort") or body.get("reasoning"))
    return Prompt(
        model=model,
        messages=messages,
        stream=bool(body.get("stream")),
        reasoning=asked or "reason" in model,
        results=results,
        parts=parts.openai(last_user(body.get("messages")).get("content")),
        max_tokens=max_tokens(body.get("max_completion_tokens", body.get("max_tokens"))),
        forced=_forced(body),
    )


def _forced(body: dict[str, Any]) -> Forced | None:
    """`tool_choice: {"type": "function", "function": {"name": ...}}`."""
    choice = body.get("tool_choice")
    function = choice.get("function") if isinstance(choice, dict) else None
    functions = [t.get("function") or {} for t in body.get("tools") or () if isinstance(t, dict)]
    tools = {f.get("name"): f.get("parameters") for f in functions}
    return forced(function.get("name") if isinstance(function, dict) else None, tools)


def _usage(plan: Plan, behaviour: Behaviour) -> dict[str, Any]:
    return {
        "prompt_tokens": behaviour.reported("prompt", plan.prompt_tokens),
        "completion_tokens": behaviour.reported("completion", plan.completion_tokens),
        "total_tokens": plan.prompt_tokens + plan.completion_tokens,
        "prompt_tokens_details": {
            "cached_tokens": behaviour.reported("cache_read", behaviour.cache_read_tokens)
        },
        "completion_tokens_details": {"reasoning_tokens": len(plan.reasoning)},
    }


def _chunk(base: dict[str, Any], delta: dict[str, Any], finish: str | None = None) -> dict:
    choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
    return {**base, "choices": [choice]}


def stream(request: RecordedRequest, prompt: Prompt, plan: Plan, behaviour: Behaviour) -> Response:
    base = {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": prompt.model,
        "system_fingerprint": "fp_mock",
    }
    options = body_json(request).get("stream_options") or {}
    usage = bool(options.get("include_usage")) and not behaviour.omit_usage
    malformed = sse({**base, "choices": [{"index": 0, "delta": {"content": 42}}]}).data
    frames = _frames(base, plan, behaviour, usage)
    return Response(200, dict(SSE_HEADERS), frames=frames, malformed=malformed)


_PIECE = "\x00piece\x00"  # stands for the piece while a chunk's JSON is written once


def content_frame(base: dict[str, Any], key: str) -> Callable[[str], Frame]:
    """The content frame of a piece of `key` (text or reasoning): its chunk's JSON written
    once around the piece, as a stream's chunks differ only there. The mock's CPU shares the
    machine with the server the benchmark measures: a dict encoded whole per token was
    about a fifth of it (bench/README.md)."""
    head, tail = dumps(_chunk(base, {key: _PIECE})).split(dumps(_PIECE))
    return lambda piece: Frame(f"data: {head}{dumps(piece)}{tail}\n\n".encode(), content=True)


def _frames(base: dict[str, Any], plan: Plan, behaviour: Behaviour, usage: bool) -> Iterator[Frame]:
    """The stream's frames, made as they are sent (http.Frame says why)."""
    yield sse(_chunk(base, {"role": "assistant", "content": ""}))
    yield from map(content_frame(base, behaviour.reasoning_key), plan.reasoning)
    yield from map(content_frame(base, "content"), plan.text)
    yield from _tool_frames(base, plan)
    yield sse(_chunk(base, {}, plan.finish))
    if usage:
        yield sse({**base, "choices": [], "usage": _usage(plan, behaviour)})
    yield Frame(b"data: [DONE]\n\n")


def _tool_frames(base: dict[str, Any], plan: Plan) -> list[Frame]:
    """Each call: its id and name with empty arguments, then the arguments in pieces."""
    frames = []
    for index, call in enumerate(plan.calls):
        head = {"id": call.id, "type": "function", "function": {"name": call.name, "arguments": ""}}
        frames.append(sse(_chunk(base, {"tool_calls": [{"index": index, **head}]}), content=True))
        for piece in call.pieces:
            delta = {"tool_calls": [{"index": index, "function": {"arguments": piece}}]}
            frames.append(sse(_chunk(base, delta), content=True))
    return frames


def complete(request: RecordedRequest, prompt: Prompt, plan: Plan, behaviour: Behaviour):
    message: dict[str, Any] = {"role": "assistant", "content": plan.full_text, "refusal": None}
    if plan.calls:
        message["content"] = None
        message["tool_calls"] = [
            {
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments},
            }
            for call in plan.calls
        ]
    if plan.reasoning:
        message[behaviour.reasoning_key] = plan.full_reasoning
    return json_response(
        200,
        {
            "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": prompt.model,
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "logprobs": None,
                    "finish_reason": plan.finish,
                }
            ],
            **({} if behaviour.omit_usage else {"usage": _usage(plan, behaviour)}),
            "system_fingerprint": "fp_mock",
        },
    )


_ERRORS = {
    Failure.AUTH: (401, "invalid_request_error", "invalid_api_key", "Incorrect API key provided."),
    Failure.RATE_LIMIT: (429, "requests", "rate_limit_exceeded", "Rate limit reached."),
    Failure.SERVER: (500, "server_error", None, "The server had an error processing your request."),
    Failure.CONTEXT: (
        400,
        "invalid_request_error",
        "context_length_exceeded",
        "This model's maximum context length is 8192 tokens. "
        "Please reduce the length of the messages.",
    ),
    Failure.UNKNOWN_MODEL: (
        404,
        "invalid_request_error",
        "model_not_found",
        "The model `{model}` does not exist or you do not have access to it.",
    ),
}


def error(failure: Failure, model: str, behaviour: Behaviour) -> Response:
    status, kind, code, message = _ERRORS[failure]
    headers = {"retry-after": str(behaviour.retry_after)} if status == 429 else {}
    body = {
        "error": {"message": message.format(model=model), "type": kind, "param": None, "code": code}
    }
    return json_response(status, body, headers)


def models(behaviour: Behaviour) -> Response:
    data = [
        {"id": name, "object": "model", "created": 1700000000, "owned_by": "mock"}
        for name in behaviour.models
    ]
    return json_response(200, {"object": "list", "data": data})


def ollama_tags(behaviour: Behaviour) -> Response:
    data = [{"name": name, "model": name, "size": 1} for name in behaviour.models]
    return json_response(200, {"models": data})


FLAG_WORD = "moderate-me"  # inputs containing it are flagged (harassment)


def moderation(request: RecordedRequest) -> Response:
    raw = body_json(request).get("input", "")
    inputs = raw if isinstance(raw, list) else [raw]
    results = []
    for item in inputs:
        flagged = FLAG_WORD in text_of([item])
        results.append(
            {
                "flagged": flagged,
                "categories": {"harassment": flagged, "violence": False},
                "category_scores": {"harassment": 0.99 if flagged else 0.001, "violence": 0.001},
            }
        )
    model = body_json(request).get("model") or "omni-moderation-latest"
    return json_response(
        200, {"id": f"modr-{uuid.uuid4().hex[:12]}", "model": model, "results": results}
    )
