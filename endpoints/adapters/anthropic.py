"""Anthropic Messages API on the official `anthropic` SDK (also custom `provider: anthropic`).

Thinking blocks become ReasoningDeltas; usage includes cache reads and writes
(`prompt_tokens` counts them too, see Usage).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from typing import Any

import anthropic
import httpx2

from endpoints import headers as header_templates
from endpoints.endpoint import Endpoint

from . import errors
from .base import (
    ChatMessage,
    ChatRequest,
    Finish,
    ImagePart,
    ProviderError,
    ReasoningDelta,
    RequestContext,
    StreamEvent,
    TextDelta,
    TextPart,
    ToolCallDelta,
    Usage,
)
from .common import (
    CONNECT_TIMEOUT,
    BaseAdapter,
    ClientCache,
    b64,
    sdk_http_client,
    skip_malformed,
    thinking_on,
)

MANAGED_HEADERS = ("authorization", "x-api-key", "anthropic-version", header_templates.BETA)
DEFAULT_MAX_TOKENS = 8192
FINISH = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",  # the model's safety classifiers stopped it
}


class AnthropicAdapter(BaseAdapter):
    def __init__(self, endpoint: Endpoint, **options: Any) -> None:
        super().__init__(endpoint, **options)
        self._clients = ClientCache(self._new_client)

    def _new_client(self, api_key: str, base_url: str | None) -> anthropic.AsyncAnthropic:
        return anthropic.AsyncAnthropic(
            api_key=api_key,
            base_url=base_url,
            timeout=httpx2.Timeout(self.timeout, connect=CONNECT_TIMEOUT),
            max_retries=self.max_retries,
            http_client=sdk_http_client(
                anthropic, proxy=self.endpoint.proxy, **self.http_options()
            ),
        )

    def client(self, context: RequestContext) -> anthropic.AsyncAnthropic:
        return self._clients.get(self.api_key(context), self.base_url(context))

    def headers(self, resolved: Mapping[str, str], betas: Any = None) -> dict[str, str]:
        """Configured headers minus the SDK's auth/version; beta flags merged, not replaced."""
        configured = {} if self.endpoint.user_provides_url else dict(resolved)
        beta = header_templates.merge_beta(
            *(v for k, v in configured.items() if k.lower() == header_templates.BETA),
            ",".join(betas) if isinstance(betas, list | tuple) else betas,
        )
        sent = header_templates.without(configured, MANAGED_HEADERS)
        return {**sent, header_templates.BETA: beta} if beta else sent

    def _arguments(self, request: ChatRequest) -> dict[str, Any]:
        params = dict(request.params)
        cache = params.pop("promptCache", True) and "claude" in request.model.lower()
        system = "\n\n".join(m.content for m in request.messages if m.role == "system")
        messages = [_wire_message(m) for m in request.messages if m.role != "system"]
        arguments: dict[str, Any] = {
            "model": request.model,
            "max_tokens": params.pop("max_tokens", DEFAULT_MAX_TOKENS),
            "messages": _with_cache_points(messages) if cache else messages,
            "stream": True,
            "extra_headers": self.headers(request.headers, params.pop("betas", None)),
            "extra_body": params,
        }
        if system:
            arguments["system"] = [_cached_text(system)] if cache else system
        ours = [
            {"name": t.name, "description": t.description, "input_schema": dict(t.parameters)}
            for t in request.tools
        ]
        # The operator's tools (native search, addParams) first; one named as one of
        # Parley's, offered for this turn, steps aside: Anthropic wants names unique.
        taken = {tool["name"] for tool in ours}
        theirs = [
            tool
            for tool in params.pop("tools", None) or ()
            if not (isinstance(tool, dict) and tool.get("name") in taken)
        ]
        if theirs or ours:
            arguments["tools"] = theirs + ours
        forced = request.forced_tool
        if forced and not thinking_on(params.get("thinking")):
            arguments["tool_choice"] = {"type": "tool", "name": forced}
        return arguments

    async def _events(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        stream = await self.client(request.context).messages.create(**self._arguments(request))
        reader = _Reader()
        async with stream:
            async for event in stream:
                try:
                    events = reader.read(event)
                except (AttributeError, TypeError):
                    skip_malformed(self.endpoint.name, event)
                    continue
                for item in events:
                    yield item

    def _translate(self, error: Exception, model: str) -> ProviderError | None:
        return errors.from_stainless_sdk(anthropic, self.endpoint.name, model, error)

    async def _list_models(self, context: RequestContext) -> list[str]:
        sent = self.headers(header_templates.resolve(self.endpoint.headers, context))
        try:
            page = await self.client(context).models.list(extra_headers=sent)
            return [model.id async for model in page]
        except anthropic.APIError as error:
            raise self.translated(error, "") from error


class _Reader:
    """Turns the Messages event stream into Parley events, remembering input usage."""

    def __init__(self) -> None:
        self.input: Any = None
        # Blocks that are Parley's tool calls: a server tool's (Anthropic's own web
        # search) streams its input too, but the provider runs it, not Parley.
        self.calls: set[int] = set()

    def read(self, event: Any) -> list[StreamEvent]:
        kind = event.type
        if kind == "message_start":
            self.input = event.message.usage
        elif kind == "content_block_start" and event.content_block.type == "tool_use":
            block = event.content_block
            self.calls.add(event.index)
            return [ToolCallDelta(event.index, block.id, block.name)]
        elif kind == "content_block_delta":
            if event.delta.type == "input_json_delta" and event.index not in self.calls:
                return []
            return _delta(event.index, event.delta)
        elif kind == "message_delta":
            reason = event.delta.stop_reason
            finish: list[StreamEvent] = [Finish(FINISH.get(reason, reason))] if reason else []
            return finish + self._usage(getattr(event, "usage", None))
        return []

    def _usage(self, delta: Any) -> list[StreamEvent]:
        """The reply's usage, none when the provider sent none (the stream wrapper counts)."""
        if delta is None:
            return []
        read = getattr(self.input, "cache_read_input_tokens", None) or 0
        write = getattr(self.input, "cache_creation_input_tokens", None) or 0
        uncached = getattr(self.input, "input_tokens", None) or 0
        output = getattr(delta, "output_tokens", None) or 0
        try:
            prompt = uncached + read + write
        except TypeError:  # a figure that is no number goes as it came, for the check to refuse
            prompt = uncached
        return [
            Usage(
                prompt_tokens=prompt,
                completion_tokens=output,
                cache_read_tokens=read,
                cache_write_tokens=write,
            )
        ]


def _cached_text(text: str) -> dict[str, Any]:
    return {"type": "text", "text": text, "cache_control": {"type": "ephemeral"}}


def _with_cache_points(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """LibreChat's promptCache: cache breakpoints on the last two user messages."""
    users = [i for i, message in enumerate(messages) if message["role"] == "user"][-2:]
    return [
        {**message, "content": _cached(message["content"])} if i in users else message
        for i, message in enumerate(messages)
    ]


def _cached(content: str | list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Content with a cache breakpoint on its last block (text, or tool results)."""
    if isinstance(content, str):
        return [_cached_text(content)]
    return [*content[:-1], {**content[-1], "cache_control": {"type": "ephemeral"}}]


def _wire_content(message: ChatMessage) -> str | list[dict[str, Any]]:
    """Text stays a string; parts are `text`, `image` and `document` blocks (base64)."""
    if isinstance(message.content, str):
        return message.content
    blocks: list[dict[str, Any]] = []
    for part in message.content:
        if isinstance(part, TextPart):
            blocks.append({"type": "text", "text": part.text})
        else:
            kind = "image" if isinstance(part, ImagePart) else "document"
            source = {"type": "base64", "media_type": part.mime, "data": b64(part.data)}
            blocks.append({"type": kind, "source": source})
    return blocks


def _wire_message(message: ChatMessage) -> dict[str, Any]:
    """Tool calls are `tool_use` blocks after the text; results, a user message's
    `tool_result` blocks."""
    if message.tool_results:
        blocks = [
            {
                "type": "tool_result",
                "tool_use_id": r.call_id,
                "content": r.content,
                "is_error": r.is_error,
            }
            for r in message.tool_results
        ]
        return {"role": "user", "content": blocks}
    if not message.tool_calls:
        return {"role": message.role, "content": _wire_content(message)}
    text = [{"type": "text", "text": message.text}] if message.text else []
    calls = [
        {"type": "tool_use", "id": c.id, "name": c.name, "input": _input(c.arguments)}
        for c in message.tool_calls
    ]
    return {"role": "assistant", "content": text + calls}


def _input(arguments: str) -> Any:
    """The arguments as the object Anthropic wants back; text that is no JSON object goes
    back as `{}` (the call's error result already told the model)."""
    try:
        value = json.loads(arguments or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _delta(index: int, delta: Any) -> list[StreamEvent]:
    if delta.type == "text_delta":
        if not isinstance(delta.text, str):
            raise TypeError("text_delta without text")
        return [TextDelta(delta.text)]
    if delta.type == "thinking_delta":
        if not isinstance(delta.thinking, str):
            raise TypeError("thinking_delta without thinking")
        return [ReasoningDelta(delta.thinking)]
    if delta.type == "input_json_delta":
        if not isinstance(delta.partial_json, str):
            raise TypeError("input_json_delta without partial_json")
        return [ToolCallDelta(index, arguments=delta.partial_json)]
    return []  # signatures: nothing to show
