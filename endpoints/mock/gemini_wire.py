"""Gemini API: `models/{model}:streamGenerateContent?alt=sse`, `:generateContent`, `models`.

Served under both `v1` and `v1beta`: google-genai uses `v1` with a custom base URL.

Like Gemini 2.5 and 3, a reply's first function call carries a `thoughtSignature`; like
Gemini 3, a request whose current turn (the contents after the last user text) sends a
call the mock signed without its signature is refused with Gemini's 400.
"""

from __future__ import annotations

import base64
import json
import uuid
from functools import partial
from typing import Any

from . import parts
from .behaviour import Behaviour, Failure, RecordedRequest
from .http import Frame, Response, body_json, dumps, json_response
from .replies import Call, Forced, Plan, Prompt, conversation, forced, text_of

SSE_HEADERS = {"content-type": "text/event-stream", "cache-control": "no-cache"}


def parse(request: RecordedRequest, model: str, stream: bool) -> Prompt:
    body = body_json(request)
    system = text_of((body.get("systemInstruction") or {}).get("parts"))
    messages, results = conversation(
        [
            (
                "assistant" if c.get("role") == "model" else "user",
                text_of(c.get("parts")),
                _results(c.get("parts")),
            )
            for c in body.get("contents", [])
            if isinstance(c, dict)
        ]
    )
    thinking = (body.get("generationConfig") or {}).get("thinkingConfig") or {}
    return Prompt(
        model=model,
        messages=((("system", system),) if system else ()) + messages,
        stream=stream,
        # google-genai sends this one key in snake case; the REST docs say camel case.
        reasoning=bool(thinking.get("includeThoughts") or thinking.get("include_thoughts")),
        results=results,
        parts=parts.gemini(_last_user(body.get("contents")).get("parts")),
        forced=_forced(body),
    )


def _forced(body: dict[str, Any]) -> Forced | None:
    """`toolConfig.functionCallingConfig`: mode ANY with one `allowedFunctionNames`."""
    config = _either(_either(body, "toolConfig", "tool_config"), "functionCallingConfig",
                     "function_calling_config")  # fmt: skip
    names = _either(config, "allowedFunctionNames", "allowed_function_names") or []
    if str(config.get("mode", "")).upper() != "ANY" or len(names) != 1:
        return None
    declared = [
        d
        for tool in body.get("tools") or ()
        if isinstance(tool, dict)
        for d in _either(tool, "functionDeclarations", "function_declarations") or ()
    ]
    tools = {
        d.get("name"): _either(d, "parametersJsonSchema", "parameters_json_schema")
        for d in declared
    }
    return forced(names[0], tools)


def _either(value: Any, camel: str, snake: str) -> Any:
    """A field of a dict in the REST docs' camel case or the snake case google-genai may send."""
    if not isinstance(value, dict):
        return {}
    return value.get(camel, value.get(snake)) or {}


def _last_user(contents: Any) -> dict[str, Any]:
    users = [c for c in contents or () if isinstance(c, dict) and c.get("role") != "model"]
    return users[-1] if users else {}


def _results(parts: Any) -> tuple[str, ...] | None:
    """The texts of a content's `functionResponse` parts; None when it has none."""
    if not isinstance(parts, list):
        return None
    found = [
        p["functionResponse"].get("response") or {}
        for p in parts
        if isinstance(p, dict) and isinstance(p.get("functionResponse"), dict)
    ]
    texts = [r.get("output", r.get("error", json.dumps(r))) for r in found]
    return tuple(str(t) for t in texts) or None


def _call(call: Call) -> dict[str, Any]:
    """Gemini sends a call whole, its arguments an object, and (like the Gemini API) no id."""
    try:
        args = json.loads(call.arguments)
    except ValueError:
        args = None
    return {"functionCall": {"name": call.name, "args": args if isinstance(args, dict) else {}}}


def _calls(calls: tuple[Call, ...], behaviour: Behaviour) -> list[dict[str, Any]]:
    """A reply's calls, the first signed (as Gemini signs parallel calls), the signature kept."""
    parts = [_call(call) for call in calls]
    if parts:
        signature = b"mock-thought:" + uuid.uuid4().bytes
        parts[0]["thoughtSignature"] = base64.b64encode(signature).decode()
        behaviour.signatures.setdefault(key(parts[0]["functionCall"]), set()).add(signature)
    return parts


def key(call: dict[str, Any]) -> str:
    return json.dumps([call.get("name"), call.get("args") or {}], sort_keys=True)


def unsigned(request: RecordedRequest, behaviour: Behaviour) -> Response | None:
    """Gemini's 400 for a call of the current turn sent back without the signature the
    mock gave it (or with another)."""
    contents = [c for c in body_json(request).get("contents") or () if isinstance(c, dict)]
    asked = [i for i, c in enumerate(contents) if c.get("role") != "model" and _says(c)]
    turn = contents[asked[-1] + 1 :] if asked else contents
    position = 0
    for content in turn:
        for part in content.get("parts") or ():
            call = part.get("functionCall") if isinstance(part, dict) else None
            if not isinstance(call, dict):
                continue
            position += 1
            issued = behaviour.signatures.get(key(call))
            sent = _decoded(part.get("thoughtSignature", part.get("thought_signature")))
            if issued and sent not in issued:
                return json_response(400, _status(400, "INVALID_ARGUMENT", MISSING % (
                    call.get("name"), position)))  # fmt: skip
    return None


def _decoded(signature: Any) -> bytes | None:
    """A signature's bytes, in either base64 alphabet (google-genai sends the URL-safe one)."""
    if not isinstance(signature, str):
        return None
    try:
        return base64.urlsafe_b64decode(signature.replace("+", "-").replace("/", "_"))
    except ValueError:
        return None


def _says(content: dict[str, Any]) -> bool:
    """A user content with text (not only function responses): where a turn starts."""
    return any(isinstance(p, dict) and p.get("text") for p in content.get("parts") or ())


MISSING = (
    "Function call is missing a thought_signature in functionCall parts. This is required "
    "for tools to work correctly, and missing thought_signature may lead to degraded model "
    "performance. Additional data, function call `default_api:%s` , position %d. Please "
    "refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details."
)


def _usage(plan: Plan, behaviour: Behaviour) -> dict[str, Any] | None:
    if behaviour.omit_usage:
        return None
    thoughts = len(plan.reasoning)
    return {
        "promptTokenCount": behaviour.reported("prompt", plan.prompt_tokens),
        "candidatesTokenCount": behaviour.reported("completion", plan.completion_tokens - thoughts),
        "thoughtsTokenCount": thoughts,
        "cachedContentTokenCount": behaviour.reported("cache_read", behaviour.cache_read_tokens),
        "totalTokenCount": plan.prompt_tokens + plan.completion_tokens,
    }


def _partial_usage(plan: Plan, behaviour: Behaviour) -> dict[str, Any] | None:
    """What the chunks before the last report: the prompt so far."""
    if behaviour.omit_usage:
        return None
    prompt = behaviour.reported("prompt", plan.prompt_tokens)
    return {"promptTokenCount": prompt, "totalTokenCount": plan.prompt_tokens}


def _response(prompt: Prompt, parts: list, finish: str | None, usage: dict | None) -> dict:
    candidate: dict[str, Any] = {"content": {"parts": parts, "role": "model"}, "index": 0}
    if finish:
        candidate["finishReason"] = finish
    response = {
        "candidates": [candidate],
        "modelVersion": prompt.model,
        "responseId": uuid.uuid4().hex[:20],
    }
    return response if usage is None else {**response, "usageMetadata": usage}


def _frame(payload: dict[str, Any], content: bool = True) -> Frame:
    return Frame(partial(_frame_bytes, payload), content)


def _frame_bytes(payload: dict[str, Any]) -> bytes:
    return f"data: {dumps(payload)}\r\n\r\n".encode()


def stream(request: RecordedRequest, prompt: Prompt, plan: Plan, behaviour: Behaviour) -> Response:
    partial = _partial_usage(plan, behaviour)
    frames = [
        _frame(_response(prompt, [{"text": piece, "thought": True}], None, partial))
        for piece in plan.reasoning
    ]
    frames += [_frame(_response(prompt, [{"text": p}], None, partial)) for p in plan.text[:-1]]
    last = [{"text": plan.text[-1]}] if plan.text else []
    last += _calls(plan.calls, behaviour)
    frames.append(_frame(_response(prompt, last, "STOP", _usage(plan, behaviour))))
    malformed = _frame({"candidates": [{"index": 0, "content": {"role": "model"}}]}).data
    return Response(200, dict(SSE_HEADERS), frames=frames, malformed=malformed)


def complete(request: RecordedRequest, prompt: Prompt, plan: Plan, behaviour: Behaviour):
    parts: list[dict[str, Any]] = []
    if plan.reasoning:
        parts.append({"text": plan.full_reasoning, "thought": True})
    if plan.text or not plan.calls:
        parts.append({"text": plan.full_text})
    parts += _calls(plan.calls, behaviour)
    return json_response(200, _response(prompt, parts, "STOP", _usage(plan, behaviour)))


def _status(code: int, status: str, message: str, details: list | None = None) -> dict:
    return {"error": {"code": code, "message": message, "status": status, "details": details or []}}


def error(failure: Failure, model: str, behaviour: Behaviour) -> Response:
    info = "type.googleapis.com/google.rpc."
    if failure is Failure.AUTH:
        details = [
            {"@type": info + "ErrorInfo", "reason": "API_KEY_INVALID", "domain": "googleapis.com"}
        ]
        body = _status(
            400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", details
        )
    elif failure is Failure.RATE_LIMIT:
        details = [{"@type": info + "RetryInfo", "retryDelay": f"{behaviour.retry_after}s"}]
        body = _status(429, "RESOURCE_EXHAUSTED", "You exceeded your current quota.", details)
    elif failure is Failure.CONTEXT:
        message = "The input token count (1048577) exceeds the maximum number of tokens allowed."
        body = _status(400, "INVALID_ARGUMENT", message)
    elif failure is Failure.UNKNOWN_MODEL:
        message = (
            f"models/{model} is not found for API version v1beta, "
            "or is not supported for generateContent."
        )
        body = _status(404, "NOT_FOUND", message)
    else:
        body = _status(503, "UNAVAILABLE", "The model is overloaded. Please try again later.")
    return json_response(body["error"]["code"], body)


def models(behaviour: Behaviour) -> Response:
    data = [
        {
            "name": f"models/{name}",
            "displayName": name,
            "supportedGenerationMethods": ["generateContent", "countTokens"],
        }
        for name in behaviour.models
    ]
    return json_response(200, {"models": data})
