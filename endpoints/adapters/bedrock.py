"""Amazon Bedrock on boto3's `bedrock-runtime` `converse_stream`.

boto3 is synchronous, so the call and each read of its event stream run in a
worker thread; the event loop never blocks. Credentials come from BEDROCK_AWS_*
(endpoint.bedrock); boto3 itself honours AWS_ENDPOINT_URL_BEDROCK_RUNTIME, which
is how tests and gateways point it at another host (such as the mock provider).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from typing import Any

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    ParamValidationError,
    ReadTimeoutError,
)
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.exceptions import ReadTimeoutError as Urllib3Timeout

from endpoints.endpoint import USER_PROVIDED, Endpoint

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
from .common import CONNECT_TIMEOUT, BaseAdapter, ClientCache, skip_malformed, thinking_on

# Converse takes a forced `toolChoice` from these model families only (AWS's Converse
# docs: Anthropic Claude 3 and later, Mistral Large, Amazon Nova); others refuse it.
FORCEABLE = re.compile(r"anthropic|mistral-large|nova", re.IGNORECASE)
# Converse: a document's name may hold letters, digits, spaces, hyphens, brackets, parens.
DOCUMENT_NAME = re.compile(r"[^A-Za-z0-9 \-\[\]\(\)]+")
DOCUMENT_FORMATS = {
    "application/pdf": "pdf",
    "text/plain": "txt",
    "text/markdown": "md",
    "text/csv": "csv",
    "text/html": "html",
    "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}
INFERENCE = {"maxTokens", "temperature", "topP", "stopSequences"}
FINISH = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "guardrail_intervened": "content_filter",
    "content_filtered": "content_filter",
    "tool_use": "tool_calls",
}
STATUS = {
    "throttlingexception": 429,
    "accessdeniedexception": 403,
    "unrecognizedclientexception": 403,
    "expiredtokenexception": 403,
    "resourcenotfoundexception": 404,
    "validationexception": 400,
    "modelstreamerrorexception": 503,
    "internalserverexception": 500,
    "serviceunavailableexception": 503,
    "modelnotreadyexception": 503,
}
_END = object()


class BedrockAdapter(BaseAdapter):
    def __init__(self, endpoint: Endpoint, **options: Any) -> None:
        super().__init__(endpoint, **options)
        self._clients = ClientCache(self._new_client)

    def credentials(self, context: RequestContext) -> tuple[str | None, str | None, str | None]:
        """(access key id, secret, session token); a user-provided set arrives as JSON."""
        options = self.endpoint.bedrock
        if options is None:
            return None, None, None
        if options.secret_access_key != USER_PROVIDED:
            return options.access_key_id, options.secret_access_key, options.session_token
        try:
            supplied = json.loads(context.api_key or "")
            return (
                supplied["accessKeyId"],
                supplied["secretAccessKey"],
                supplied.get("sessionToken"),
            )
        except (ValueError, KeyError, TypeError) as error:
            raise errors.missing_key(self.endpoint.name) from error

    def _new_client(self, key_id: str | None, secret: str | None, token: str | None) -> Any:
        options = self.endpoint.bedrock
        proxy = self.endpoint.proxy
        session = boto3.session.Session(
            aws_access_key_id=key_id,
            aws_secret_access_key=secret,
            aws_session_token=token,
            region_name=options.region if options else None,
            profile_name=options.profile if options and not key_id else None,
        )
        config = BotoConfig(
            connect_timeout=CONNECT_TIMEOUT,
            read_timeout=self.timeout,
            # total_max_attempts counts the first try (botocore's max_attempts does not)
            retries={"total_max_attempts": self.max_retries + 1, "mode": "standard"},
            proxies={"http": proxy, "https": proxy} if proxy else None,
        )
        base_url = self.endpoint.base_url if self.endpoint.base_url != USER_PROVIDED else None
        return session.client("bedrock-runtime", endpoint_url=base_url, config=config)

    def _arguments(self, request: ChatRequest) -> dict[str, Any]:
        params = dict(request.params)
        inference = {key: params.pop(key) for key in list(params) if key in INFERENCE}
        arguments: dict[str, Any] = {
            "modelId": self._model_id(request.model),
            "messages": [_wire_message(m) for m in request.messages if m.role != "system"],
        }
        if request.tools:
            arguments["toolConfig"] = _tool_config(request, arguments["modelId"], params)
        system = [{"text": m.content} for m in request.messages if m.role == "system"]
        if system:
            arguments["system"] = system
        if inference:
            arguments["inferenceConfig"] = inference
        if params:
            arguments["additionalModelRequestFields"] = params
        guardrail = self.endpoint.bedrock.guardrail if self.endpoint.bedrock else None
        if guardrail:
            arguments["guardrailConfig"] = dict(guardrail)
        return arguments

    def _model_id(self, model: str) -> str:
        profiles = self.endpoint.bedrock.inference_profiles if self.endpoint.bedrock else {}
        return profiles.get(model, model)

    async def _events(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        client = self._clients.get(*self.credentials(request.context))
        response = await asyncio.to_thread(client.converse_stream, **self._arguments(request))
        stream = response["stream"]
        events = iter(stream)
        try:
            while (event := await asyncio.to_thread(next, events, _END)) is not _END:
                try:
                    items = _read(event)
                except (AttributeError, TypeError, KeyError):
                    items = None
                if items is None:
                    skip_malformed(self.endpoint.name, event)
                    continue
                for item in items:
                    yield item
        finally:
            stream.close()

    def _translate(self, error: Exception, model: str) -> ProviderError | None:
        name = self.endpoint.name
        if isinstance(error, ClientError):
            details = error.response.get("Error", {})
            code = str(details.get("Code", "")).split(":")[0].lower()
            status = STATUS.get(code) or error.response.get("ResponseMetadata", {}).get(
                "HTTPStatusCode", 500
            )
            headers = error.response.get("ResponseMetadata", {}).get("HTTPHeaders", {})
            retry = errors.retry_after_seconds(headers.get("retry-after"))
            return errors.from_status(name, model, status, str(details.get("Message", "")), retry)
        if isinstance(error, ParamValidationError):  # boto3 checks parameters before sending
            return errors.invalid_parameters(name, str(error).split(":", 1)[-1])
        if isinstance(error, ConnectTimeoutError | ReadTimeoutError | Urllib3Timeout):
            return errors.timed_out(name)
        if isinstance(error, BotoCoreError | Urllib3Error):
            return errors.unreachable(name)
        return None

    async def _list_models(self, context: RequestContext) -> list[str]:
        """Bedrock's runtime API has no model list: the configured models are the list."""
        return list(self.endpoint.models.default)


def _tool_config(request: ChatRequest, model_id: str, params: dict[str, Any]) -> dict[str, Any]:
    """The offered tools, and the forced one where the model takes a forced choice."""
    config: dict[str, Any] = {
        "tools": [
            {
                "toolSpec": {
                    "name": t.name,
                    "description": t.description or t.name,
                    "inputSchema": {"json": dict(t.parameters) or {"type": "object"}},
                }
            }
            for t in request.tools
        ]
    }
    forced = request.forced_tool
    if forced and FORCEABLE.search(model_id) and not thinking_on(params.get("thinking")):
        config["toolChoice"] = {"tool": {"name": forced}}
    return config


def _wire_message(message: ChatMessage) -> dict[str, Any]:
    """Tool calls are `toolUse` blocks after the text; results, a user message's
    `toolResult` blocks."""
    if message.tool_results:
        blocks = [
            {
                "toolResult": {
                    "toolUseId": r.call_id,
                    "content": [{"text": r.content}],
                    "status": "error" if r.is_error else "success",
                }
            }
            for r in message.tool_results
        ]
        return {"role": "user", "content": blocks}
    content = _wire_content(message)
    for call in message.tool_calls:
        use = {"toolUseId": call.id, "name": call.name, "input": _input(call.arguments)}
        content.append({"toolUse": use})
    return {"role": message.role, "content": content or [{"text": message.text}]}


def _wire_content(message: ChatMessage) -> list[dict[str, Any]]:
    """Converse blocks: `text`, `image` and `document` (format and raw bytes; a document
    also needs a name of letters, digits, spaces, hyphens and brackets)."""
    blocks: list[dict[str, Any]] = []
    for part in message.parts:
        if isinstance(part, TextPart):
            if part.text:
                blocks.append({"text": part.text})
        elif isinstance(part, ImagePart):
            blocks.append({"image": {"format": _format(part.mime), "source": {"bytes": part.data}}})
        else:
            name = DOCUMENT_NAME.sub(" ", part.name.rsplit(".", 1)[0]).strip() or "document"
            document = {"format": _format(part.mime), "name": name[:200]}
            blocks.append({"document": document | {"source": {"bytes": part.data}}})
    return blocks


def _format(mime: str) -> str:
    """Converse's format names: png, jpeg, gif, webp; pdf, csv, doc(x), xls(x), html, txt, md."""
    return DOCUMENT_FORMATS.get(mime, mime.rsplit("/", 1)[-1])


def _input(arguments: str) -> Any:
    """The arguments as the document Bedrock wants back; `{}` for text that is no object."""
    try:
        value = json.loads(arguments or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _read(event: dict[str, Any]) -> list[StreamEvent] | None:
    if "contentBlockStart" in event:
        start = event["contentBlockStart"]
        use = (start.get("start") or {}).get("toolUse")
        if use is None:
            return []
        return [ToolCallDelta(start["contentBlockIndex"], use["toolUseId"], use["name"])]
    if "contentBlockDelta" in event:
        index = event["contentBlockDelta"].get("contentBlockIndex", 0)
        delta = event["contentBlockDelta"]["delta"]
        if "toolUse" in delta:
            piece = delta["toolUse"].get("input", "")
            return [ToolCallDelta(index, arguments=piece)] if isinstance(piece, str) else None
        if "text" in delta:
            return [TextDelta(delta["text"])] if isinstance(delta["text"], str) else None
        if "reasoningContent" in delta:
            text = delta["reasoningContent"].get("text")
            return [ReasoningDelta(text)] if text else []
        return None if not delta else []  # an empty delta is malformed
    if "messageStop" in event:
        reason = event["messageStop"].get("stopReason", "end_turn")
        return [Finish(FINISH.get(reason, reason))]
    if "metadata" in event:
        usage = event["metadata"]["usage"]
        read = usage.get("cacheReadInputTokens", 0)
        write = usage.get("cacheWriteInputTokens", 0)
        return [
            Usage(
                prompt_tokens=usage.get("inputTokens", 0) + read + write,
                completion_tokens=usage.get("outputTokens", 0),
                cache_read_tokens=read,
                cache_write_tokens=write,
            )
        ]
    return []
