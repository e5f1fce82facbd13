"""Gemini on the official `google-genai` SDK: streaming, thinking as reasoning, safety settings.

GOOGLE_REVERSE_PROXY (the endpoint's base URL) becomes the SDK's base URL; the
GOOGLE_SAFETY_* settings arrive as `endpoint.google.safety_settings`.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
import re
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

import httpx
import httpx2
import pydantic
from google import genai
from google.genai import errors as genai_errors
from google.genai import types

from endpoints import addresses
from endpoints import headers as header_templates
from endpoints.endpoint import Endpoint

from . import errors
from .base import (
    ChatMessage,
    ChatRequest,
    Finish,
    ProviderError,
    ReasoningDelta,
    RequestContext,
    StreamEvent,
    TextDelta,
    TextPart,
    ToolCallDelta,
    Usage,
)
from .common import BaseAdapter, ClientCache, skip_malformed

MANAGED_HEADERS = ("x-goog-api-key", "authorization")
FINISH = {"STOP": "stop", "MAX_TOKENS": "length"}
FILTERED = {"SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII"}
CONFIG_FIELDS = {
    name
    for field_name, info in types.GenerateContentConfig.model_fields.items()
    for name in (field_name, info.alias)
    if name
}
TIMEOUT_ERRORS = (httpx2.TimeoutException, httpx.TimeoutException)
TRANSPORT_ERRORS = (httpx2.TransportError, httpx.TransportError)


class GoogleAdapter(BaseAdapter):
    def __init__(self, endpoint: Endpoint, **options: Any) -> None:
        super().__init__(endpoint, **options)
        self._clients = ClientCache(self._new_client)

    def _new_client(self, api_key: str, base_url: str | None) -> genai.Client:
        google = self.endpoint.google
        headers = {"Authorization": f"Bearer {api_key}"} if google and google.auth_header else {}
        options = types.HttpOptions(
            base_url=base_url,
            headers=headers,
            timeout=int(self.timeout * 1000),
            retry_options=types.HttpRetryOptions(attempts=self.max_retries + 1, initial_delay=0.5),
            # An explicit httpx2 client: the same transport (and PROXY) as the other SDKs.
            httpx_async_client=httpx2.AsyncClient(proxy=self.endpoint.proxy, **self.http_options()),
        )
        return genai.Client(api_key=api_key, http_options=options)

    def client(self, context: RequestContext) -> genai.Client:
        return self._clients.get(self.api_key(context), self.base_url(context))

    def headers(self, resolved: Mapping[str, str]) -> dict[str, str]:
        if self.endpoint.user_provides_url:
            return {}
        return header_templates.without(resolved, MANAGED_HEADERS)

    def _config(self, request: ChatRequest) -> types.GenerateContentConfig:
        params = dict(request.params)
        extra = {key: params.pop(key) for key in list(params) if key not in CONFIG_FIELDS}
        system = "\n\n".join(m.content for m in request.messages if m.role == "system")
        safety = self.endpoint.google.safety_settings if self.endpoint.google else {}
        try:
            config = types.GenerateContentConfig.model_validate(params)
        except pydantic.ValidationError as error:  # the SDK checks parameters before sending
            detail = "; ".join(
                f"{'.'.join(map(str, item['loc']))}: {item['msg']}" for item in error.errors()
            )
            raise errors.invalid_parameters(self.endpoint.name, detail) from error
        config.system_instruction = system or None
        config.safety_settings = [
            types.SafetySetting(category=category, threshold=threshold)
            for category, threshold in safety.items()
        ] or None
        config.http_options = types.HttpOptions(
            headers=self.headers(request.headers), extra_body=extra or None
        )
        if request.tools:
            declarations = [
                types.FunctionDeclaration(
                    name=t.name,
                    description=t.description,
                    parameters_json_schema=dict(t.parameters) or None,
                )
                for t in request.tools
            ]
            # after the operator's own (Gemini's googleSearch, addParams)
            config.tools = [*(config.tools or ()), types.Tool(function_declarations=declarations)]
        if forced := request.forced_tool:
            calling = types.FunctionCallingConfig(mode="ANY", allowed_function_names=[forced])
            config.tool_config = types.ToolConfig(function_calling_config=calling)
        return config

    async def _events(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        contents = [_content(m) for m in request.messages if m.role != "system"]
        stream = await self.client(request.context).aio.models.generate_content_stream(
            model=request.model, contents=contents, config=self._config(request)
        )
        usage, calls = None, itertools.count()
        async for chunk in stream:
            _check_prompt_blocked(chunk, self.endpoint.name)
            usage = chunk.usage_metadata or usage
            try:
                events = _read(chunk, calls)
            except (AttributeError, TypeError):
                skip_malformed(self.endpoint.name, chunk)
                continue
            for event in events:
                yield event
        if usage is not None:
            yield _usage(usage)

    def _translate(self, error: Exception, model: str) -> ProviderError | None:
        name = self.endpoint.name
        if isinstance(error, genai_errors.APIError):
            message = error.message or ""
            retry = _retry_delay(error.details)
            return errors.from_status(name, model, error.code or 500, message, retry)
        if isinstance(error, TIMEOUT_ERRORS):
            return errors.timed_out(name)
        if isinstance(error, TRANSPORT_ERRORS):
            return errors.unreachable(name)
        if isinstance(error, pydantic.ValidationError):  # the SDK reads every chunk strictly
            return errors.unreadable(name)
        return None

    async def _list_models(self, context: RequestContext) -> list[str]:
        config = types.ListModelsConfig(
            http_options=types.HttpOptions(
                headers=self.headers(header_templates.resolve(self.endpoint.headers, context))
            )
        )
        try:
            pager = await self.client(context).aio.models.list(config=config)
            return [(model.name or "").removeprefix("models/") async for model in pager]
        except (genai_errors.APIError, addresses.Refused) as error:
            raise self.translated(error, "") from error


def _parts(message: ChatMessage) -> list[types.Part]:
    """Text parts and `inline_data` blobs (images and documents), in order."""
    if isinstance(message.content, str):
        return [types.Part(text=message.content)]
    return [
        types.Part(text=part.text)
        if isinstance(part, TextPart)
        else types.Part(inline_data=types.Blob(mime_type=part.mime, data=part.data))
        for part in message.content
    ]


def _content(message: ChatMessage) -> types.Content:
    """Tool calls are `functionCall` parts after the text; results, `functionResponse`
    parts (`output`, or `error`, as the Gemini API documents). Gemini matches them by
    name and order: the ids Parley keeps are not sent."""
    if message.tool_results:
        parts = [
            types.Part(
                function_response=types.FunctionResponse(
                    name=r.name, response={"error" if r.is_error else "output": r.content}
                )
            )
            for r in message.tool_results
        ]
        return types.Content(role="user", parts=parts)
    role = "model" if message.role == "assistant" else "user"
    parts = _parts(message) if message.parts or not message.tool_calls else []
    for call in message.tool_calls:
        function_call = types.FunctionCall(name=call.name, args=_args(call.arguments))
        signature = _signature(call.signature)
        parts.append(types.Part(function_call=function_call, thought_signature=signature))
    return types.Content(role=role, parts=parts)


def _signature(text: str) -> bytes | None:
    """A call's kept thoughtSignature as the SDK takes it (bytes; it sends them base64)."""
    try:
        return base64.b64decode(text, validate=True) if text else None
    except binascii.Error:
        return None


def _args(arguments: str) -> dict[str, Any]:
    try:
        value = json.loads(arguments or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _read(chunk: Any, calls: Iterator[int]) -> list[StreamEvent]:
    """A chunk's events; `calls` numbers the reply's function calls (each comes whole)."""
    events: list[StreamEvent] = []
    for candidate in chunk.candidates or ():
        parts = candidate.content.parts if candidate.content else None
        if parts is None and candidate.finish_reason is None:
            raise TypeError("a candidate with neither content nor a finish reason")
        for part in parts or ():
            if part.function_call is not None:
                events.append(_call(part, next(calls)))
            elif part.text:
                events.append(ReasoningDelta(part.text) if part.thought else TextDelta(part.text))
        if candidate.finish_reason:
            events.append(Finish(_finish(candidate.finish_reason)))
    return events


def _call(part: Any, index: int) -> ToolCallDelta:
    """A whole call, with the thoughtSignature Gemini 2.5 and 3 put on it (3 refuses the
    next request of the loop without it: docs/tools.md)."""
    call = part.function_call
    call_id = call.id or f"call_{uuid.uuid4().hex[:24]}"  # the Gemini API sends none
    signature = base64.b64encode(part.thought_signature).decode() if part.thought_signature else ""
    return ToolCallDelta(index, call_id, call.name or "", json.dumps(call.args or {}), signature)


def _finish(reason: Any) -> str:
    name = str(getattr(reason, "value", reason))
    return "content_filter" if name in FILTERED else FINISH.get(name, name.lower())


def _check_prompt_blocked(chunk: Any, endpoint: str) -> None:
    feedback = chunk.prompt_feedback
    if feedback is not None and feedback.block_reason:
        raise ProviderError.content_filtered(
            f"Endpoint {endpoint}'s safety settings blocked this prompt."
        )


def _usage(usage: Any) -> Usage:
    completion = (usage.candidates_token_count or 0) + (usage.thoughts_token_count or 0)
    return Usage(
        prompt_tokens=usage.prompt_token_count or 0,
        completion_tokens=completion,
        cache_read_tokens=usage.cached_content_token_count or 0,
    )


def _retry_delay(details: Any) -> float | None:
    """Seconds from a google.rpc.RetryInfo detail (`"7s"`), if the error carries one."""
    error = details.get("error", {}) if isinstance(details, dict) else {}
    for detail in error.get("details", []):
        match = re.fullmatch(r"([\d.]+)s", str(detail.get("retryDelay", "")))
        if match:
            return float(match[1])
    return None
