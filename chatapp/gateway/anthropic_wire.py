"""Anthropic's Messages shapes: a request body into a `Call`, and the message, its stream's
events and errors out (docs.anthropic.com/en/api/messages), over any endpoint.

Messages hold text, inline `image` blocks (base64: chatapp/gateway/images.py), the
assistant's `tool_use` and the user's `tool_result` blocks (chatapp/gateway/tools.py);
other blocks are refused naming the field. `max_tokens` is required, as Anthropic's
API has it; `system` is a string or text blocks.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from chatapp.gateway import images as images_in
from chatapp.gateway import tools
from chatapp.gateway.call import Call, Delta, Outcome
from chatapp.gateway.errors import ApiError, bad_request
from endpoints.adapters.base import ChatMessage, ImagePart, Part, TextPart, ToolCall, ToolSpec

# Fields of the request Parley reads itself; the rest are parameters (allow-listed later).
OWN = frozenset({
    "model", "messages", "system", "stream", "metadata", "max_tokens", "thinking",
    "tools", "tool_choice",
})  # fmt: skip
TOOL_FIELDS = frozenset({"type", "name", "description", "input_schema"})
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
    said: list[ChatMessage] = []
    images: list[images_in.Located] = []
    for index, item in enumerate(messages):
        _message(item, f"messages.{index}", said, images)
    if not said or said[-1].role not in ("user", "tool"):
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
    specs = _tools(body.get("tools"))
    saved = tools.saved(tuple(said))
    return Call(
        model=body.get("model"),  # type: ignore[arg-type]  # the catalog checks it
        text=saved[-1][1],
        history=saved[:-1],
        instructions=_text(body.get("system"), "system"),
        params=params,
        stream=stream,
        messages=tuple(said),
        tools=specs,
        tool_choice=_tool_choice(body.get("tool_choice"), specs),
        images=tuple(images),
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


def _message(
    item: Any, where: str, said: list[ChatMessage], images: list[images_in.Located]
) -> None:
    if not isinstance(item, dict) or item.get("role") not in ("user", "assistant"):
        raise bad_request(f"{where}.role: must be user or assistant.", f"{where}.role")
    role, content = item["role"], item.get("content")
    if not isinstance(content, list):
        said.append(ChatMessage(role, _text(content, f"{where}.content")))
    elif role == "assistant":
        said.append(_assistant(content, f"{where}.content"))
    else:
        _user(content, f"{where}.content", said, images)


def _assistant(blocks: list[Any], where: str) -> ChatMessage:
    """Text and `tool_use` blocks."""
    texts, calls = [], []
    for i, block in enumerate(blocks):
        at = f"{where}.{i}"
        if _typed(block, "tool_use"):
            arguments = block.get("input")
            if not isinstance(arguments, dict):
                raise bad_request(f"{at}.input: must be an object.", f"{at}.input")
            calls.append(tools.call(block.get("id"), block.get("name"), json.dumps(arguments), at))
        else:
            texts.append(_text_block(block, at))
    return ChatMessage("assistant", "".join(texts), tuple(calls))


def _user(
    blocks: list[Any], where: str, said: list[ChatMessage], images: list[images_in.Located]
) -> None:
    """`tool_result` blocks (a message of role "tool"), then text and `image` blocks."""
    parts: list[Part] = []
    for i, block in enumerate(blocks):
        at = f"{where}.{i}"
        if _typed(block, "tool_result"):
            text = _text(block.get("content"), f"{at}.content")
            error = block.get("is_error") is True
            tools.result(said, block.get("tool_use_id"), text, f"{at}.tool_use_id", error)
        elif _typed(block, "image"):
            parts.append(_image(block.get("source"), f"{at}.source"))
            images.append((f"{at}.source", parts[-1]))  # type: ignore[arg-type]
        else:
            parts.append(TextPart(_text_block(block, at)))
    if all(isinstance(part, TextPart) for part in parts):
        if parts or not said or said[-1].role != "tool":
            said.append(ChatMessage("user", "".join(p.text for p in parts)))  # type: ignore[union-attr]
    else:
        said.append(ChatMessage("user", tuple(parts)))


def _image(source: Any, where: str) -> ImagePart:
    """A base64 source (inline images only: chatapp/gateway/images.py)."""
    if not isinstance(source, dict) or source.get("type") != "base64":
        message = f"{where}: only base64 image sources are accepted (Parley fetches no image)."
        raise bad_request(message, where, "unsupported_image_url")
    return images_in.decode(source.get("data"), f"{where}.data")


def _typed(block: Any, kind: str) -> bool:
    return isinstance(block, dict) and block.get("type") == kind


def _text_block(block: Any, where: str) -> str:
    if not _typed(block, "text"):
        raise bad_request(f"{where}: this block type is not supported here.", where)
    if not isinstance(block.get("text"), str):
        raise bad_request(f"{where}.text: must be a string.", f"{where}.text")
    return block["text"]


def _text(content: Any, where: str) -> str:
    if content is None or isinstance(content, str):
        return content or ""
    if not isinstance(content, list):
        raise bad_request(f"{where}: must be a string or a list of text blocks.", where)
    texts = [_text_block(block, f"{where}.{i}") for i, block in enumerate(content)]
    return "\n\n".join(texts) if where == "system" else "".join(texts)


def _tools(items: Any) -> tuple[ToolSpec, ...]:
    """Client tools only (`type` custom or none given): name, description, input_schema."""
    specs = []
    for i, item in enumerate(tools.listed(items, "tools")):
        where = f"tools.{i}"
        if not isinstance(item, dict) or item.get("type", "custom") != "custom":
            raise bad_request(f"{where}: only client tools are supported.", where)
        extra = set(item) - TOOL_FIELDS
        if extra:
            raise bad_request(f"{where}: unsupported fields {sorted(extra)}.", where)
        specs.append(tools.spec(item, where, "input_schema"))
    return tools.unique(specs, "tools")


def _tool_choice(choice: Any, specs: tuple[ToolSpec, ...]) -> str | None:
    """`{type: auto}` (or none given): the model decides; `{type: tool, name}`: that one."""
    if choice is None or choice == {"type": "auto"}:
        return None
    if not _typed(choice, "tool") or set(choice) != {"type", "name"}:
        message = "tool_choice: must be {type: auto} or {type: tool, name}."
        raise bad_request(message, "tool_choice", "unsupported_value")
    return tools.chosen(choice["name"], specs, "tool_choice.name")


# -- responses --------------------------------------------------------------


def message(call: Call, outcome: Outcome) -> dict[str, Any]:
    """The whole message: its text (kept when empty unless tools are called), its calls."""
    content = [{"type": "text", "text": outcome.text}]
    if outcome.tool_calls and not outcome.text:
        content = []
    content += [{**_tool_use(c), "input": _input(c)} for c in outcome.tool_calls]
    return {
        **_shell(call, outcome.id, outcome.prompt_tokens, 0),
        "content": content,
        "stop_reason": stop_reason(outcome),
        "usage": _usage(outcome.prompt_tokens, outcome.completion_tokens),
    }


def _tool_use(call: ToolCall) -> dict[str, Any]:
    return {"type": "tool_use", "id": call.id, "name": call.name}


def _input(call: ToolCall) -> dict[str, Any]:
    """The call's arguments as an object (a model's text that is not one: empty)."""
    try:
        found = json.loads(call.arguments or "{}")
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def _tool_use_events(index: int, call: ToolCall) -> list[tuple[str, dict[str, Any]]]:
    """A tool_use block whole: its start, its input in one delta, its stop."""
    partial = {"type": "input_json_delta", "partial_json": json.dumps(_input(call))}
    return [
        (
            "content_block_start",
            {"index": index, "content_block": {**_tool_use(call), "input": {}}},
        ),
        ("content_block_delta", {"index": index, "delta": partial}),
        ("content_block_stop", {"index": index}),
    ]


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
        for index, called in enumerate(event.tool_calls, start=1):
            for name, data in _tool_use_events(index, called):
                yield _event(name, data)
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
