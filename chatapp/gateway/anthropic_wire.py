"""Anthropic's Messages shapes: a request body into a `Call`, and the message, its stream's
events and errors out (docs.anthropic.com/en/api/messages), over any endpoint.

Text only: blocks other than text (images, tools) are refused naming the field.
`max_tokens` is required, as Anthropic's API has it; `system` is a string or text blocks.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from chatapp.gateway.call import Call, Delta, Outcome
from chatapp.gateway.errors import ApiError, bad_request

# Fields of the request Parley reads itself; the rest are parameters (allow-listed later).
OWN = frozenset({"model", "messages", "system", "stream", "metadata", "max_tokens", "thinking"})
# Parley's finish reasons (OpenAI's words) as Anthropic's stop_reason.
STOP_REASONS = {
    "stop": "end_turn",
    "length": "max_tokens",
    "content_filter": "refusal",
    "tool_calls": "tool_use",
}
# Anthropic's error types by HTTP status (docs.anthropic.com/en/api/errors).
TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    502: "api_error",
    504: "api_error",
}


def parse(body: Any) -> Call:
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object.", None, "invalid_body")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise bad_request("messages: Field required (a non-empty list of messages).", "messages")
    said = [_message(item, index) for index, item in enumerate(messages)]
    if said[-1][0] != "user":
        raise bad_request("messages: the last message must have role `user`.", "messages")
    max_tokens = body.get("max_tokens")
    if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1:
        raise bad_request(
            "max_tokens: Field required (a whole number of at least 1).", "max_tokens"
        )
    stream = body.get("stream") or False
    if not isinstance(stream, bool):
        raise bad_request("stream: must be true or false.", "stream")
    params = {k: v for k, v in body.items() if k not in OWN}
    params["max_tokens"] = max_tokens
    params.update(_thinking(body.get("thinking")))
    return Call(
        model=body.get("model"),  # type: ignore[arg-type]  # the catalog checks it
        text=said[-1][1],
        history=tuple(said[:-1]),
        instructions=_text(body.get("system"), "system"),
        params=params,
        stream=stream,
    )


def _thinking(thinking: Any) -> dict[str, Any]:
    if thinking is None:
        return {}
    if not isinstance(thinking, dict) or thinking.get("type") not in ("enabled", "disabled"):
        raise bad_request(
            "thinking: must be {type: enabled, budget_tokens} or disabled.", "thinking"
        )
    if thinking["type"] == "disabled":
        return {"thinking": False}
    return {"thinking": True, "thinkingBudget": thinking.get("budget_tokens")}


def _message(item: Any, index: int) -> tuple[str, str]:
    where = f"messages.{index}"
    if not isinstance(item, dict) or item.get("role") not in ("user", "assistant"):
        raise bad_request(f"{where}.role: must be user or assistant.", f"{where}.role")
    return item["role"], _text(item.get("content"), f"{where}.content")


def _text(content: Any, where: str) -> str:
    if content is None or isinstance(content, str):
        return content or ""
    if not isinstance(content, list):
        raise bad_request(f"{where}: must be a string or a list of text blocks.", where)
    texts = []
    for i, block in enumerate(content):
        if not isinstance(block, dict) or block.get("type") != "text":
            raise bad_request(f"{where}.{i}: only text blocks are supported.", where)
        if not isinstance(block.get("text"), str):
            raise bad_request(f"{where}.{i}.text: must be a string.", where)
        texts.append(block["text"])
    return "\n\n".join(texts) if where == "system" else "".join(texts)


# -- responses --------------------------------------------------------------


def message(call: Call, outcome: Outcome) -> dict[str, Any]:
    return {
        **_shell(call, outcome.id, outcome.prompt_tokens, 0),
        "content": [{"type": "text", "text": outcome.text}],
        "stop_reason": stop_reason(outcome),
        "usage": _usage(outcome.prompt_tokens, outcome.completion_tokens),
    }


def stop_reason(outcome: Outcome) -> str:
    return STOP_REASONS.get(outcome.finish_reason, "end_turn")


def _shell(call: Call, message_id: str, prompt_tokens: int, output: int) -> dict[str, Any]:
    return {
        "id": f"msg_{message_id.replace('-', '')}",
        "type": "message",
        "role": "assistant",
        "model": call.model,
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": _usage(prompt_tokens, output),
    }


def _usage(input_tokens: int, output_tokens: int) -> dict[str, int]:
    return {"input_tokens": input_tokens, "output_tokens": output_tokens}


async def sse(
    call: Call, events: AsyncIterator[Delta | Outcome], first: Delta | Outcome, response_id: str
) -> AsyncIterator[str]:
    """message_start, one text block's deltas, message_delta (usage), message_stop; an error
    after the first text is an `error` event (the SDK raises it). Closing it stops the turn."""
    try:
        yield _event("message_start", {"message": _shell(call, response_id, 0, 0)})
        block = {"type": "text", "text": ""}
        yield _event("content_block_start", {"index": 0, "content_block": block})
        event = first
        while isinstance(event, Delta):
            if event.text:
                delta = {"type": "text_delta", "text": event.text}
                yield _event("content_block_delta", {"index": 0, "delta": delta})
            event = await anext(events)
        if event.error is not None:
            yield _event("error", error_body(event.error))
            return
        yield _event("content_block_stop", {"index": 0})
        stop = {"stop_reason": stop_reason(event), "stop_sequence": None}
        usage = _usage(event.prompt_tokens, event.completion_tokens)
        yield _event("message_delta", {"delta": stop, "usage": usage})
        yield _event("message_stop", {})
    except ApiError as error:
        yield _event("error", error_body(error))
    finally:
        await events.aclose()


def _event(name: str, data: dict[str, Any]) -> str:
    body = json.dumps({"type": name, **data}, separators=(",", ":"))
    return f"event: {name}\ndata: {body}\n\n"


def error_body(error: ApiError) -> dict[str, Any]:
    kind = TYPES.get(error.status, "api_error")
    return {"type": "error", "error": {"type": kind, "message": error.message}}
