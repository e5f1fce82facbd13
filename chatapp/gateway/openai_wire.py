"""OpenAI's Chat Completions and Models shapes: a request body into a `Call`, and the
completion, its stream's chunks and the model list out (platform.openai.com/docs/api-reference).

`system` and `developer` messages make the system prompt; the rest is the
conversation: text, inline images (`image_url` data URLs: chatapp/gateway/images.py),
the assistant's tool calls and `tool` results (chatapp/gateway/tools.py); it ends with
the user's message or a tool's result. `n` > 1 and anything outside these shapes is
refused naming the field.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Iterable
from dataclasses import replace
from typing import Any

from chatapp.gateway import images as images_in
from chatapp.gateway import tools
from chatapp.gateway.call import Call, Delta, Outcome
from chatapp.gateway.errors import ApiError, bad_request
from endpoints.adapters.base import ChatMessage, Part, TextPart, ToolCall, ToolSpec

# Fields of the request Parley reads itself; the rest are parameters (allow-listed later).
OWN = frozenset(
    {"model", "messages", "stream", "stream_options", "n", "user", "tools", "tool_choice"}
)
RENAMED = {"max_completion_tokens": "max_tokens"}  # OpenAI's newer name, LibreChat's older
SYSTEM_ROLES = ("system", "developer")
FUNCTION_FIELDS = frozenset({"name", "description", "parameters", "strict"})  # of a tool
# OpenAI's finish reasons; a provider's other word (Gemini's `recitation`, say) is `stop`.
FINISH_REASONS = frozenset({"stop", "length", "content_filter", "tool_calls"})


def parse(body: Any) -> Call:
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object.", None, "invalid_body")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise bad_request("`messages` must be a non-empty array of messages.", "messages")
    system: list[str] = []
    said: list[ChatMessage] = []
    images: list[images_in.Located] = []
    for index, item in enumerate(messages):
        _message(item, f"messages[{index}]", system, said, images)
    if not said or said[-1].role not in ("user", "tool"):
        raise bad_request("The last message must be the user's or a tool's result.", "messages")
    n = body.get("n")
    if n not in (None, 1):
        raise bad_request("Only n=1 is supported.", "n", "unsupported_value")
    stream = body.get("stream") or False
    if not isinstance(stream, bool):
        raise bad_request("`stream` must be true or false.", "stream")
    options = body.get("stream_options") or {}
    if not isinstance(options, dict):
        raise bad_request("`stream_options` must be an object.", "stream_options")
    specs = _tools(body.get("tools"))
    params = {RENAMED.get(k, k): v for k, v in body.items() if k not in OWN}
    saved = tools.saved(tuple(said))
    return Call(
        model=body.get("model"),  # type: ignore[arg-type]  # the catalog checks it
        text=saved[-1][1],
        history=saved[:-1],
        instructions="\n\n".join(system),
        params=params,
        stream=stream,
        include_usage=options.get("include_usage") is True,
        messages=tuple(said),
        tools=specs,
        tool_choice=_tool_choice(body.get("tool_choice"), specs),
        images=tuple(images),
    )


def _message(
    item: Any,
    where: str,
    system: list[str],
    said: list[ChatMessage],
    images: list[images_in.Located],
) -> None:
    if not isinstance(item, dict):
        raise bad_request(f"`{where}` must be an object.", where)
    role, content = item.get("role"), item.get("content")
    if role in SYSTEM_ROLES:
        system.append(_text(content, f"{where}.content"))
    elif role == "user":
        said.append(ChatMessage("user", _user_content(content, f"{where}.content", images)))
    elif role == "assistant":
        calls = _calls(item.get("tool_calls"), f"{where}.tool_calls")
        said.append(ChatMessage("assistant", _text(content, f"{where}.content"), calls))
    elif role == "tool":
        text = _text(content, f"{where}.content")
        tools.result(said, item.get("tool_call_id"), text, f"{where}.tool_call_id")
    else:
        message = f"`{where}.role` must be system, developer, user, assistant or tool."
        raise bad_request(message, f"{where}.role")


def _text(content: Any, where: str) -> str:
    if isinstance(content, str):
        return content
    if content is None:
        return ""
    if isinstance(content, list):
        return "".join(_text_part(part, f"{where}[{i}]") for i, part in enumerate(content))
    raise bad_request(f"`{where}` must be a string or an array of text parts.", where)


def _text_part(part: Any, where: str) -> str:
    if not isinstance(part, dict) or part.get("type") != "text":
        raise bad_request(f"`{where}`: only text parts are supported here.", where)
    if not isinstance(part.get("text"), str):
        raise bad_request(f"`{where}.text` must be a string.", f"{where}.text")
    return part["text"]


def _user_content(
    content: Any, where: str, images: list[images_in.Located]
) -> str | tuple[Part, ...]:
    """Text, or text and `image_url` parts (inline images: chatapp/gateway/images.py)."""
    if not isinstance(content, list):
        return _text(content, where)
    parts: list[Part] = []
    for i, part in enumerate(content):
        at = f"{where}[{i}]"
        if isinstance(part, dict) and part.get("type") == "image_url":
            image = part.get("image_url")
            url = image.get("url") if isinstance(image, dict) else image
            parts.append(images_in.from_data_url(url, f"{at}.image_url.url"))
            images.append((f"{at}.image_url.url", parts[-1]))  # type: ignore[arg-type]
        else:
            parts.append(TextPart(_text_part(part, at)))
    if all(isinstance(part, TextPart) for part in parts):
        return "".join(part.text for part in parts)  # type: ignore[union-attr]
    return tuple(parts)


def _calls(items: Any, where: str) -> tuple[ToolCall, ...]:
    if items is None:
        return ()
    if not isinstance(items, list):
        raise bad_request(f"`{where}` must be an array of tool calls.", where)
    found = []
    for i, item in enumerate(items):
        at = f"{where}[{i}]"
        function = item.get("function") if isinstance(item, dict) else None
        if not isinstance(function, dict) or not isinstance(function.get("arguments"), str):
            raise bad_request(f"`{at}.function` needs a name and arguments (text).", at)
        found.append(tools.call(item.get("id"), function.get("name"), function["arguments"], at))
    return tuple(found)


def _tools(items: Any) -> tuple[ToolSpec, ...]:
    """`tools`: functions only, each `{type: function, function: {name, description,
    parameters}}` (`strict` is accepted); anything else is refused naming it."""
    specs = []
    for i, item in enumerate(tools.listed(items, "tools")):
        where = f"tools[{i}]"
        if not _function_tool(item):
            raise bad_request(f"`{where}` must be {{type: function, function: {{...}}}}.", where)
        function = item["function"]
        extra = (set(function) - FUNCTION_FIELDS) | (set(item) - {"type", "function"})
        if extra:
            raise bad_request(f"`{where}`: unsupported fields {sorted(extra)}.", where)
        specs.append(tools.spec(function, f"{where}.function"))
    return tools.unique(specs, "tools")


def _function_tool(item: Any) -> bool:
    return (
        isinstance(item, dict)
        and item.get("type") == "function"
        and isinstance(item.get("function"), dict)
    )


def _tool_choice(choice: Any, specs: tuple[ToolSpec, ...]) -> str | None:
    """`auto` (or none given): the model decides; a named function: it must call that one.
    `none` and `required` are refused: Parley sends the tools it is given, or a name."""
    if choice in (None, "auto"):
        return None
    if not _function_tool(choice):
        message = '`tool_choice` must be "auto" or {type: function, function: {name}}.'
        raise bad_request(message, "tool_choice", "unsupported_value")
    return tools.chosen(choice["function"].get("name"), specs, "tool_choice")


# -- responses --------------------------------------------------------------


def completion(call: Call, outcome: Outcome) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": outcome.text, "refusal": None}
    if outcome.reasoning:
        message["reasoning_content"] = outcome.reasoning
    if outcome.tool_calls:
        message["content"] = outcome.text or None
        message["tool_calls"] = [_call(c) for c in outcome.tool_calls]
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


def _call(call: ToolCall) -> dict[str, Any]:
    function = {"name": call.name, "arguments": call.arguments}
    return {"id": call.id, "type": "function", "function": function}


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
    out = [
        chunk(call, chunk_id, created, delta={"tool_calls": [{"index": i, **_call(c)}]})
        for i, c in enumerate(event.tool_calls)
    ]  # each call whole, in one delta: the engine hands them over when the reply ends
    out.append(chunk(call, chunk_id, created, delta={}, finish_reason=finish(event)))
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
