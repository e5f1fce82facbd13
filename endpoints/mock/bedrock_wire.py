"""Bedrock Runtime `converse` and `converse-stream` (binary AWS event stream)."""

from __future__ import annotations

import json
from functools import partial
from typing import Any
from urllib.parse import unquote

from . import eventstream, parts
from .behaviour import Behaviour, Failure, RecordedRequest
from .http import Frame, Response, body_json, dumps, json_response
from .replies import Call, Forced, Plan, Prompt, conversation, forced, last_user, text_of

CALL_PREFIX = "tooluse_"
STREAM_HEADERS = {"content-type": "application/vnd.amazon.eventstream"}


def parse(request: RecordedRequest, model: str, stream: bool) -> Prompt:
    body = body_json(request)
    system = text_of(body.get("system"))
    messages, results = conversation(
        [
            (str(m.get("role", "user")), text_of(m.get("content")), _results(m.get("content")))
            for m in body.get("messages", [])
            if isinstance(m, dict)
        ]
    )
    extra = body.get("additionalModelRequestFields") or {}
    thinking = extra.get("thinking") or extra.get("reasoning_config") or {}
    return Prompt(
        model=unquote(model),
        messages=((("system", system),) if system else ()) + messages,
        stream=stream,
        reasoning=isinstance(thinking, dict) and thinking.get("type") == "enabled",
        results=results,
        parts=parts.bedrock(last_user(body.get("messages")).get("content")),
        forced=_forced(body.get("toolConfig")),
    )


def _forced(config: Any) -> Forced | None:
    """`toolConfig.toolChoice: {"tool": {"name": ...}}`."""
    if not isinstance(config, dict):
        return None
    choice = (config.get("toolChoice") or {}).get("tool") or {}
    specs = [t.get("toolSpec") or {} for t in config.get("tools") or () if isinstance(t, dict)]
    tools = {s.get("name"): (s.get("inputSchema") or {}).get("json") for s in specs}
    return forced(choice.get("name"), tools)


def _results(content: Any) -> tuple[str, ...] | None:
    """The texts of a message's `toolResult` blocks; None when it has none."""
    if not isinstance(content, list):
        return None
    found = [b["toolResult"] for b in content if isinstance(b, dict) and "toolResult" in b]
    return tuple(text_of(r.get("content")) for r in found) or None


def _input(call: Call) -> Any:
    try:
        return json.loads(call.arguments)
    except ValueError:
        return {}


def _usage(plan: Plan, behaviour: Behaviour) -> dict[str, Any]:
    """The `usage` field, if the behaviour sends one."""
    if behaviour.omit_usage:
        return {}
    return {
        "usage": {
            "inputTokens": behaviour.reported("prompt", plan.prompt_tokens),
            "outputTokens": behaviour.reported("completion", plan.completion_tokens),
            "totalTokens": plan.prompt_tokens + plan.completion_tokens,
            "cacheReadInputTokens": behaviour.reported("cache_read", behaviour.cache_read_tokens),
            "cacheWriteInputTokens": behaviour.reported(
                "cache_write", behaviour.cache_write_tokens
            ),
        }
    }


def _event(name: str, payload: dict[str, Any], content: bool = False) -> Frame:
    return Frame(partial(_event_bytes, name, payload), content)


def _event_bytes(name: str, payload: dict[str, Any]) -> bytes:
    return eventstream.event(name, dumps(payload).encode())


def _deltas(index: int, deltas: list[dict[str, Any]]) -> list[Frame]:
    frames = [
        _event("contentBlockDelta", {"contentBlockIndex": index, "delta": d}, content=True)
        for d in deltas
    ]
    frames.append(_event("contentBlockStop", {"contentBlockIndex": index}))
    return frames


def stream(request: RecordedRequest, prompt: Prompt, plan: Plan, behaviour: Behaviour) -> Response:
    frames = [_event("messageStart", {"role": "assistant"})]
    index = 0
    if plan.reasoning:
        reasoning = [{"reasoningContent": {"text": piece}} for piece in plan.reasoning]
        frames += _deltas(index, [*reasoning, {"reasoningContent": {"signature": "mock"}}])
        index += 1
    if plan.text:
        frames += _deltas(index, [{"text": piece} for piece in plan.text])
        index += 1
    for call in plan.calls:
        start = {"toolUse": {"toolUseId": call.id, "name": call.name}}
        frames.append(_event("contentBlockStart", {"contentBlockIndex": index, "start": start}))
        frames += _deltas(index, [{"toolUse": {"input": piece}} for piece in call.pieces])
        index += 1
    stop = "tool_use" if plan.calls else "end_turn"
    frames.append(_event("messageStop", {"stopReason": stop}))
    metadata = {**_usage(plan, behaviour), "metrics": {"latencyMs": 1}}
    frames.append(_event("metadata", metadata))
    # botocore rejects an empty delta outright; a wrong-typed one passes its parser.
    last = max(0, index - 1)
    malformed = _event("contentBlockDelta", {"contentBlockIndex": last, "delta": {"text": 7}}).data
    return Response(200, dict(STREAM_HEADERS), frames=frames, malformed=malformed)


def complete(request: RecordedRequest, prompt: Prompt, plan: Plan, behaviour: Behaviour):
    content: list[dict[str, Any]] = []
    if plan.reasoning:
        reasoning = {"reasoningText": {"text": plan.full_reasoning, "signature": "mock"}}
        content.append({"reasoningContent": reasoning})
    if plan.text or not plan.calls:
        content.append({"text": plan.full_text})
    for call in plan.calls:
        content.append(
            {"toolUse": {"toolUseId": call.id, "name": call.name, "input": _input(call)}}
        )
    body = {
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": "tool_use" if plan.calls else "end_turn",
        **_usage(plan, behaviour),
        "metrics": {"latencyMs": 1},
    }
    return json_response(200, body)


_ERRORS = {
    Failure.AUTH: (
        403,
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
    ),
    Failure.RATE_LIMIT: (
        429,
        "ThrottlingException",
        "Too many requests, please wait before trying again.",
    ),
    Failure.SERVER: (
        503,
        "ServiceUnavailableException",
        "Bedrock is unable to process your request.",
    ),
    Failure.CONTEXT: (400, "ValidationException", "Input is too long for requested model."),
    Failure.UNKNOWN_MODEL: (
        400,
        "ValidationException",
        "The provided model identifier is invalid.",
    ),
}


def error(failure: Failure, model: str, behaviour: Behaviour) -> Response:
    status, code, message = _ERRORS[failure]
    headers = {"x-amzn-errortype": f"{code}:http://internal.amazon.com/coral/com.amazon.bedrock/"}
    if status == 429:
        headers["retry-after"] = str(behaviour.retry_after)
    return json_response(status, {"message": message}, headers)
