"""OpenAI Chat Completions: the official `openai` SDK; every OpenAI-compatible vendor too.

Custom endpoints are configuration for this adapter (baseURL, headers,
add/dropParams, directEndpoint, customParams.reasoningKey/reasoningFormat).
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import AsyncIterator, Mapping
from typing import Any

import httpx
import httpx2
import openai

from endpoints import addresses, params
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
    ToolSpec,
    Usage,
)
from .common import (
    CONNECT_TIMEOUT,
    BaseAdapter,
    ClientCache,
    data_url,
    sdk_http_client,
    skip_malformed,
)

MANAGED_HEADERS = ("authorization", "openai-organization")
COMPLETIONS_PATH = "/chat/completions"
LIST_TIMEOUT = 5.0


class OpenAIAdapter(BaseAdapter):
    managed_headers: tuple[str, ...] = MANAGED_HEADERS

    def __init__(self, endpoint: Endpoint, **options: Any) -> None:
        super().__init__(endpoint, **options)
        self._clients = ClientCache(self._new_client)

    # -- the SDK client ------------------------------------------------------
    def _http_client(self, direct_url: str | None) -> httpx2.AsyncClient:
        options = self.http_options()
        hooks = options.pop("event_hooks", {"request": []})
        if direct_url:  # rewritten first, so that the guard checks the final URL
            hooks["request"].insert(0, _rewrite_to(direct_url))
        return sdk_http_client(openai, proxy=self.endpoint.proxy, event_hooks=hooks, **options)

    def _new_client(self, api_key: str, base_url: str | None) -> openai.AsyncOpenAI:
        direct = base_url if self.endpoint.direct_endpoint else None
        return openai.AsyncOpenAI(
            api_key=api_key,
            base_url=base_url,
            organization=self.endpoint.organization,
            timeout=httpx2.Timeout(self.timeout, connect=CONNECT_TIMEOUT),
            max_retries=self.max_retries,
            http_client=self._http_client(direct),
        )

    def client(self, context: RequestContext, model: str = "") -> openai.AsyncOpenAI:
        return self._clients.get(self.api_key(context), self.base_url(context))

    def headers(self, resolved: Mapping[str, str]) -> dict[str, str]:
        """Configured headers to send; never to a user-provided base URL."""
        if self.endpoint.user_provides_url:
            return {}
        return header_templates.without(resolved, self.managed_headers)

    def model_name(self, model: str) -> str:
        return model

    # -- streaming -----------------------------------------------------------
    def _body(self, request: ChatRequest) -> dict[str, Any]:
        body: dict[str, Any] = dict(request.params)
        if "stream_options" not in self.endpoint.drop_params:
            body.setdefault("stream_options", {"include_usage": True})
        return body

    async def _events(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        # The SDK's documented raw request (`client.post`) with `cast_to=object`: the
        # chunks stay the decoded JSON. Its typed models cost about 90 µs a chunk,
        # most of a stream's CPU (bench/README.md); auth, retries, timeouts, errors
        # and the SSE decoding are the SDK's as with `chat.completions.create`.
        body = {
            **self._body(request),
            "model": self.model_name(request.model),
            "messages": [w for m in request.messages for w in _wire_messages(m)],
            "stream": True,
        }
        if request.tools:  # after the operator's own (addParams, native search)
            body["tools"] = [*(body.get("tools") or ()), *map(_wire_tool, request.tools)]
        if forced := request.forced_tool:
            body["tool_choice"] = {"type": "function", "function": {"name": forced}}
        stream = await self.client(request.context, request.model).post(
            COMPLETIONS_PATH,
            body=body,
            options={"headers": self.headers(request.headers)},
            cast_to=object,
            stream=True,
            stream_cls=openai.AsyncStream[object],
        )
        async with stream:
            async for chunk in stream:
                try:
                    events = self._read(chunk)
                except (AttributeError, KeyError, TypeError, ValueError):
                    events = None
                if events is None:
                    skip_malformed(self.endpoint.name, chunk)
                    continue
                for event in events:
                    yield event

    @functools.cached_property
    def reasoning_key(self) -> str:
        """The delta field carrying reasoning (the endpoint is frozen: worked out once)."""
        configured = self.endpoint.custom_params.reasoning_key
        if configured:
            return configured
        return "reasoning" if params.openrouter(self.endpoint) else "reasoning_content"

    def _read(self, chunk: Any) -> list[StreamEvent]:
        """The events of one decoded chunk (a dict, as the provider sent it)."""
        events: list[StreamEvent] = []
        reasoning_key = self.reasoning_key
        for choice in chunk.get("choices") or ():
            delta = choice.get("delta") or {}
            reasoning, content = delta.get(reasoning_key), delta.get("content")
            if not isinstance(reasoning, str | None) or not isinstance(content, str | None):
                raise TypeError("delta text is not a string")
            if reasoning:
                events.append(ReasoningDelta(reasoning))
            if content:
                events.append(TextDelta(content))
            events += _tool_deltas(delta.get("tool_calls"))
            if choice.get("finish_reason"):
                events.append(Finish(choice["finish_reason"]))
        if chunk.get("usage"):
            events.append(_usage(chunk["usage"]))
        return events

    def _translate(self, error: Exception, model: str) -> ProviderError | None:
        return errors.from_stainless_sdk(openai, self.endpoint.name, model, error)

    # -- model list ----------------------------------------------------------
    async def _list_models(self, context: RequestContext) -> list[str]:
        """`GET {baseURL}/models` (Ollama: `/api/tags` first) with the configured headers."""
        configured = header_templates.resolve(self.endpoint.headers, context)
        sent = {} if self.endpoint.user_provides_url else configured
        query = {"user": context.user_id} if self.endpoint.models.user_id_query else {}
        base = self.models_base_url(context)
        if self.endpoint.name.lower().startswith("ollama") and base:
            names = await self._ollama_tags(base, sent)
            if names:
                return names
        client = self._clients.get(self.api_key(context), base)
        try:
            page = await client.models.list(extra_headers=sent, extra_query=query)
            return [model.id async for model in page]
        except openai.APIError as error:
            raise self.translated(error, "") from error

    def models_base_url(self, context: RequestContext) -> str | None:
        base = self.base_url(context)
        if base and self.endpoint.direct_endpoint:
            head, marker, _ = base.partition("/v1/")
            return head + "/v1" if marker else base.removesuffix("/chat/completions")
        return base

    async def _ollama_tags(self, base_url: str, headers: Mapping[str, str]) -> list[str]:
        origin = httpx.URL(base_url).copy_with(path="/api/tags", query=None)
        client = httpx.AsyncClient(
            proxy=self.endpoint.proxy, timeout=LIST_TIMEOUT, **self.http_options()
        )
        try:
            async with client as http:
                reply = await http.get(origin, headers=dict(headers))
                reply.raise_for_status()
                return [str(item["name"]) for item in reply.json().get("models", [])]
        except addresses.Refused as refusal:
            raise errors.refused(self.endpoint.name, refusal) from refusal
        except (httpx.HTTPError, ValueError, KeyError, TypeError):
            return []  # not an Ollama server after all: try the OpenAI list


def _rewrite_to(url: str):
    """directEndpoint: every completion request goes to the base URL exactly."""
    target = httpx2.URL(url)
    host = target.netloc.decode("ascii")

    async def rewrite(request: httpx2.Request) -> None:
        if request.method == "POST":
            request.url = target
            request.headers["host"] = host

    return rewrite


def _wire_tool(spec: ToolSpec) -> dict[str, Any]:
    function = {"name": spec.name, "description": spec.description}
    return {"type": "function", "function": {**function, "parameters": dict(spec.parameters)}}


def _wire_messages(message: ChatMessage) -> list[dict[str, Any]]:
    """A message as Chat Completions has it: tool results are one `tool` message each."""
    if message.tool_results:
        return [
            {"role": "tool", "tool_call_id": r.call_id, "content": r.content}
            for r in message.tool_results
        ]
    wire: dict[str, Any] = {"role": message.role, "content": _wire_content(message)}
    if message.tool_calls:
        wire["content"] = wire["content"] or None
        wire["tool_calls"] = [
            {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
            for c in message.tool_calls
        ]
    return [wire]


def _wire_content(message: ChatMessage) -> str | list[dict[str, Any]]:
    """Text stays a string; parts are `text`, `image_url` (a data URL) and `file`
    (a PDF as a data URL, as Chat Completions' file inputs take it)."""
    if isinstance(message.content, str):
        return message.content
    wire: list[dict[str, Any]] = []
    for part in message.content:
        if isinstance(part, TextPart):
            wire.append({"type": "text", "text": part.text})
        elif isinstance(part, ImagePart):
            wire.append({"type": "image_url", "image_url": {"url": data_url(part)}})
        else:
            file = {"filename": part.name or "document.pdf", "file_data": data_url(part)}
            wire.append({"type": "file", "file": file})
    return wire


def _tool_deltas(calls: Any) -> list[StreamEvent]:
    """Chat Completions' `delta.tool_calls`: the first piece of a call has its id and name."""
    if calls is None:
        return []
    events: list[StreamEvent] = []
    for call in calls:
        function = call.get("function") or {}
        name, arguments = function.get("name") or "", function.get("arguments") or ""
        if not isinstance(name, str) or not isinstance(arguments, str):
            raise TypeError("tool call pieces are not strings")
        call_id = call.get("id") or ("" if not name else f"call_{uuid.uuid4().hex[:24]}")
        events.append(ToolCallDelta(int(call["index"]), str(call_id), name, arguments))
    return events


def _usage(usage: dict[str, Any]) -> Usage:
    cached = (usage.get("prompt_tokens_details") or {}).get("cached_tokens") or 0
    return Usage(
        prompt_tokens=usage.get("prompt_tokens") or 0,
        completion_tokens=usage.get("completion_tokens") or 0,
        cache_read_tokens=cached,
    )
