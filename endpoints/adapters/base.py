"""The adapter protocol: every provider sits behind these few types (DESIGN.md §4).

Nothing outside `endpoints/` imports a provider SDK. An adapter turns a
`ChatRequest` into a stream of `StreamEvent`s and translates every SDK failure,
once, into a `ProviderError` whose message is fit to show the user.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal, Protocol, runtime_checkable

Role = Literal["system", "user", "assistant", "tool"]


@dataclass(frozen=True)
class TextPart:
    text: str


@dataclass(frozen=True)
class ImagePart:
    """An image's bytes, its type sniffed from them (never the browser's word)."""

    mime: str
    data: bytes
    name: str = ""


@dataclass(frozen=True)
class DocumentPart:
    """A stored file the model reads itself (a PDF, say); extracted text is a TextPart."""

    mime: str
    data: bytes
    name: str = ""


Part = TextPart | ImagePart | DocumentPart


@dataclass(frozen=True)
class ToolSpec:
    """A tool offered to the model: `parameters` is its arguments' JSON Schema."""

    name: str
    description: str = ""
    parameters: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ToolCall:
    """A call the model asked for; `arguments` is the JSON text exactly as it sent it.
    `signature` is Gemini's `thoughtSignature` of the call (base64), which it wants back
    with the call in the next requests; "" for every other provider."""

    id: str
    name: str
    arguments: str
    signature: str = ""


@dataclass(frozen=True)
class ToolResult:
    call_id: str
    name: str
    content: str
    is_error: bool = False


@dataclass(frozen=True)
class ChatMessage:
    """One message of a prompt. `content` is plain text (most messages) or parts in order.

    An assistant message that asked for tools carries `tool_calls`; the answers go back
    in one message of role "tool" carrying `tool_results` in call order.
    """

    role: Role
    content: str | tuple[Part, ...]
    tool_calls: tuple[ToolCall, ...] = ()
    tool_results: tuple[ToolResult, ...] = ()

    @property
    def parts(self) -> tuple[Part, ...]:
        if isinstance(self.content, str):
            return (TextPart(self.content),) if self.content else ()
        return self.content

    @property
    def text(self) -> str:
        """The text parts joined: what token counts and text-only paths read."""
        if isinstance(self.content, str):
            return self.content
        return "\n\n".join(p.text for p in self.content if isinstance(p, TextPart))


@dataclass(frozen=True)
class RequestContext:
    """Who is asking, for header placeholders, user-provided credentials and logs."""

    user_id: str = ""
    user_email: str = ""
    user_name: str = ""
    conversation_id: str = ""
    message_id: str = ""
    parent_message_id: str = ""
    # Credentials the user supplied for a `user_provided` endpoint (decrypted).
    api_key: str | None = None
    base_url: str | None = None
    # LibreChat's user fields for `{{LIBRECHAT_USER_*}}` header placeholders, by their
    # LibreChat names (id, name, username, email, role, emailVerified, ...); see
    # endpoints.headers.user_fields().
    user_fields: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ChatRequest:
    """A resolved request: messages in order (system first, if any) and the final payload."""

    model: str
    messages: tuple[ChatMessage, ...]
    params: Mapping[str, Any] = field(default_factory=dict)  # after addParams/dropParams
    headers: Mapping[str, str] = field(default_factory=dict)  # after placeholders
    context: RequestContext = field(default_factory=RequestContext)
    tools: tuple[ToolSpec, ...] = ()  # offered to the model; set by Parley, never the user
    # The name of one of `tools` the model must call in this reply (each adapter sends it in
    # its wire's own `tool_choice`); None leaves the choice to the model. Set by Parley only.
    tool_choice: str | None = None

    @property
    def forced_tool(self) -> str | None:
        """`tool_choice` if it names a tool offered (a choice of nothing offered is dropped)."""
        offered = any(tool.name == self.tool_choice for tool in self.tools)
        return self.tool_choice if offered else None


@dataclass(frozen=True)
class TextDelta:
    text: str


@dataclass(frozen=True)
class ReasoningDelta:
    text: str


@dataclass(frozen=True)
class Usage:
    """Tokens of one reply. `prompt_tokens` counts every input token, cached ones included."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0


@dataclass(frozen=True)
class Finish:
    reason: str  # "stop", "length", "content_filter", "tool_calls", ... as the provider said


@dataclass(frozen=True)
class ToolCallDelta:
    """A piece of the `index`th tool call of a reply. The first piece of a call carries its
    `id` and `name` (an adapter makes up an id when the provider sends none); `arguments`
    pieces, in order, join into the JSON text the model sent. `tool_calls()` assembles them.
    """

    index: int
    id: str = ""
    name: str = ""
    arguments: str = ""
    signature: str = ""  # Gemini's thoughtSignature (base64), on the piece that has one


StreamEvent = TextDelta | ReasoningDelta | ToolCallDelta | Usage | Finish


def tool_calls(deltas: Iterable[ToolCallDelta]) -> tuple[ToolCall, ...]:
    """The calls a reply's ToolCallDeltas make, in index order."""
    calls: dict[int, list[str]] = {}
    for delta in deltas:
        call = calls.setdefault(delta.index, ["", "", "", ""])
        call[0] = call[0] or delta.id
        call[1] = call[1] or delta.name
        call[2] += delta.arguments
        call[3] = call[3] or delta.signature
    return tuple(ToolCall(*calls[index]) for index in sorted(calls))


@dataclass(frozen=True)
class Completion:
    text: str
    reasoning: str = ""
    usage: Usage = field(default_factory=Usage)
    finish_reason: str = "stop"
    tool_calls: tuple[ToolCall, ...] = ()


class ErrorKind(StrEnum):
    AUTHENTICATION = "authentication"
    RATE_LIMITED = "rate_limited"
    CONTEXT_TOO_LONG = "context_too_long"
    CONTENT_FILTERED = "content_filtered"
    UNAVAILABLE = "unavailable"
    BAD_REQUEST = "bad_request"
    UNKNOWN_MODEL = "unknown_model"


class ProviderError(Exception):
    """A provider failure, translated once at the adapter edge."""

    def __init__(
        self,
        kind: ErrorKind,
        user_message: str,
        *,
        retryable: bool = False,
        status: int = 0,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(user_message)
        self.kind = kind
        self.user_message = user_message
        self.retryable = retryable
        self.status = status
        self.retry_after = retry_after  # seconds, when the provider said (rate limits)

    @classmethod
    def authentication(cls, message: str = "The provider rejected the API key.", **kw: Any):
        return cls(ErrorKind.AUTHENTICATION, message, **kw)

    @classmethod
    def rate_limited(cls, message: str = "The provider is rate limiting requests.", **kw: Any):
        return cls(ErrorKind.RATE_LIMITED, message, retryable=True, **kw)

    @classmethod
    def context_too_long(cls, message: str = "The conversation is too long for this model.", **kw):
        return cls(ErrorKind.CONTEXT_TOO_LONG, message, **kw)

    @classmethod
    def content_filtered(cls, message: str = "The provider's content filter blocked this.", **kw):
        return cls(ErrorKind.CONTENT_FILTERED, message, **kw)

    @classmethod
    def unavailable(cls, message: str = "The provider is unavailable.", **kw: Any):
        return cls(ErrorKind.UNAVAILABLE, message, retryable=True, **kw)

    @classmethod
    def bad_request(cls, message: str = "The provider rejected the request.", **kw: Any):
        return cls(ErrorKind.BAD_REQUEST, message, **kw)

    @classmethod
    def unknown_model(cls, message: str = "The provider does not know this model.", **kw: Any):
        return cls(ErrorKind.UNKNOWN_MODEL, message, **kw)


@runtime_checkable
class ChatAdapter(Protocol):
    """One wire format. Vendors that share a wire format share an adapter."""

    def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        """Yield events as they arrive; raise ProviderError on failure."""
        ...

    async def complete(self, request: ChatRequest) -> Completion:
        """One non-streamed answer (titles, moderation helpers)."""
        ...

    async def list_models(self, context: RequestContext) -> list[str]:
        """The provider's model ids (for `models.fetch`)."""
        ...
