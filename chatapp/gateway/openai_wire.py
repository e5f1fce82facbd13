"""OpenAI's Chat Completions and Models shapes: a request body into a `Call`, and the
completion, its stream's chunks and the model list out (platform.openai.com/docs/api-reference).

Text only: a content part other than text, a `tool` message, `tools` and `n` > 1
are refused naming the field. `system` and `developer` messages make the system
prompt; the last message must be the user's.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Iterable
from dataclasses import replace
from typing import Any

from chatapp.gateway.call import Call, Delta, Outcome
from chatapp.gateway.errors import ApiError, bad_request

# Fields of the request Parley reads itself; the rest are parameters (allow-listed later).
OWN = frozenset({"model", "messages", "stream", "stream_options", "n", "user"})
RENAMED = {"max_completion_tokens": "max_tokens"}  # OpenAI's newer name, LibreChat's older
SYSTEM_ROLES = ("system", "developer")
# OpenAI's finish reasons; a provider's other word (Gemini's `recitation`, say) is `stop`.
FINISH_REASONS = frozenset({"stop", "length", "content_filter", "tool_calls"})


def parse(body: Any) -> Call:
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object.", None, "invalid_body")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise bad_request("`messages` must be a non-empty array of messages.", "messages")
    turns = [_message(item, index) for index, item in enumerate(messages)]
    system = [text for role, text in turns if role in SYSTEM_ROLES]
    said = [(role, text) for role, text in turns if role not in SYSTEM_ROLES]
    if not said or said[-1][0] != "user":
        raise bad_request("The last message must be the user's.", "messages")
    n = body.get("n")
    if n not in (None, 1):
        raise bad_request("Only n=1 is supported.", "n", "unsupported_value")
    stream = body.get("stream") or False
    if not isinstance(stream, bool):
        raise bad_request("`stream` must be true or false.", "stream")
    options = body.get("stream_options") or {}
    if not isinstance(options, dict):
        raise bad_request("`stream_options` must be an object.", "stream_options")
    params = {RENAMED.get(k, k): v for k, v in body.items() if k not in OWN}
    return Call(
        model=body.get("model"),  # type: ignore[arg-type]  # the catalog checks it
        text=said[-1][1],
        history=tuple(said[:-1]),
        instructions="\n\n".join(system),
        params=params,
        stream=stream,
        include_usage=options.get("include_usage") is True,
    )


def _message(item: Any, index: int) -> tuple[str, str]:
    where = f"messages[{index}]"
    if not isinstance(item, dict):
        raise bad_request(f"`{where}` must be an object.", where)
    role = item.get("role")
    if role not in ("system", "developer", "user", "assistant"):
        raise bad_request(
            f"`{where}.role` must be system, developer, user or assistant.", f"{where}.role"
        )
    return role, _text(item.get("content"), f"{where}.content")


def _text(content: Any, where: str) -> str:
    if isinstance(content, str):
        return content
    if content is None:
        return ""
    if isinstance(content, list):
        texts = []
        for i, part in enumerate(content):
            if not isinstance(part, dict) or part.get("type") != "text":
                raise bad_request(f"`{where}[{i}]`: only text parts are supported.", where)
            if not isinstance(part.get("text"), str):
                raise bad_request(f"`{where}[{i}].text` must be a string.", where)
            texts.append(part["text"])
        return "".join(texts)
    raise bad_request(f"`{where}` must be a string or an array of text parts.", where)


# -- responses --------------------------------------------------------------


def completion(call: Call, outcome: Outcome) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": outcome.text, "refusal": None}
    if outcome.reasoning:
        message["reasoning_content"] = outcome.reasoning
    return {
        "id": f"chatcmpl-{outcome.id}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": call.model,
        "choices": [
            {"index": 0, "message": message, "logprobs": None, "finish_reason": finish(outcome)}
        ],
        "usage": usage(outcome),
    }


def finish(outcome: Outcome) -> str:
    reason = outcome.finish_reason
    return reason if reason in FINISH_REASONS else "stop"


def usage(outcome: Outcome) -> dict[str, int]:
    prompt, completion_tokens = outcome.prompt_tokens, outcome.completion_tokens
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt + completion_tokens,
    }


def chunk(call: Call, chunk_id: str, created: int, **choice: Any) -> dict[str, Any]:
    """One `chat.completion.chunk`; `choice` holds `delta` and `finish_reason`."""
    return {
        "id": chunk_id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": call.model,
        "choices": [{"index": 0, "logprobs": None, "finish_reason": None, **choice}],
    }


def event_chunks(
    call: Call, event: Delta | Outcome, chunk_id: str, created: int, *, include_usage: bool
) -> list[dict[str, Any]]:
    if isinstance(event, Delta):
        delta: dict[str, Any] = {}
        if event.text:
            delta["content"] = event.text
        if event.reasoning:
            delta["reasoning_content"] = event.reasoning
        return [chunk(call, chunk_id, created, delta=delta)] if delta else []
    out = [chunk(call, chunk_id, created, delta={}, finish_reason=finish(event))]
    if include_usage:
        last = chunk(call, chunk_id, created)
        last["choices"], last["usage"] = [], usage(event)
        out.append(last)
    return out


def with_usage(call: Call) -> Call:
    """ENFORCE_INCLUDE_USAGE: a stream ends with its usage whatever the client asked."""
    return replace(call, include_usage=True)


async def sse(
    call: Call, events: AsyncIterator[Delta | Outcome], first: Delta | Outcome, response_id: str
) -> AsyncIterator[str]:
    """The stream's Server-Sent Events, ending with `[DONE]`; an error after the first
    text is one `{"error": ...}` event (the SDKs raise it). Closing it stops the turn."""
    chunk_id, created = f"chatcmpl-{response_id}", int(time.time())
    try:
        yield _data(first_chunk(call, chunk_id, created))
        event = first
        while isinstance(event, Delta):
            for item in event_chunks(call, event, chunk_id, created, include_usage=False):
                yield _data(item)
            event = await anext(events)
        if event.error is not None:
            yield _data(event.error.body())
        else:
            usage = call.include_usage
            for item in event_chunks(call, event, chunk_id, created, include_usage=usage):
                yield _data(item)
        yield "data: [DONE]\n\n"
    except ApiError as error:
        yield _data(error.body())
    finally:
        await events.aclose()


def _data(item: dict[str, Any]) -> str:
    return f"data: {json.dumps(item, separators=(',', ':'))}\n\n"


def first_chunk(call: Call, chunk_id: str, created: int) -> dict[str, Any]:
    return chunk(call, chunk_id, created, delta={"role": "assistant", "content": ""})


def model_list(ids: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """`ids`: (id, owner) pairs."""
    data = [{"id": i, "object": "model", "created": 0, "owned_by": owner} for i, owner in ids]
    return {"object": "list", "data": data}


def error_body(error: ApiError) -> dict[str, Any]:
    return error.body()
