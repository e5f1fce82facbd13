"""The WebSocket protocol: pydantic schemas of every frame (docs/protocol.md).

Client frames are validated by `parse_client_frame`; anything malformed raises
`ProtocolError`, which the consumer answers with an `error` frame while the
socket stays open. The server frames' models below are their schema: the engine
builds them as plain dicts (chatapp.engine.frames, tested against these models),
and the socket's own frames (a parse error, a ban) are `frame.dump()`. The field
names are a public contract.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from chatapp import payload


class ProtocolError(Exception):
    """A frame the server cannot act on; `code` is machine-readable."""

    def __init__(self, code: str, message: str, conversation_id: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.conversation_id = conversation_id


class Frame(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def dump(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


# --- client → server ----------------------------------------------------


class Attached(Frame):
    """A file on a `send`, with the user's choice of how the model receives it."""

    id: UUID
    as_text: bool = False  # its extracted text instead of the file ("Upload as Text")


class Send(Frame):
    type: Literal["send"]
    conversation_id: UUID | None = None
    parent_id: UUID | None = None
    text: str
    endpoint: str = Field(min_length=1)
    model: str = Field(min_length=1)
    params: dict[str, Any] = Field(default_factory=dict)
    # The conversation's instructions (system prompt); None keeps them (a new chat: the
    # user's personal instructions). Same length limit as `text`.
    instructions: str | None = None
    temporary: bool = False  # a new chat only: kept out of lists, deleted later
    spec: str | None = Field(default=None, min_length=1, max_length=256)  # a modelSpecs name
    project: int | None = Field(default=None, ge=1)  # a new chat only: one of the user's projects
    web_search: bool | None = None  # the globe: None keeps the conversation's
    # The MCP servers chosen in the composer's picker (names); None keeps the conversation's.
    mcp_servers: list[str] | None = Field(default=None, max_length=100)
    # Files uploaded through /api/files, in order: ids, or {id, as_text}
    # (chatapp/files/attachments.py checks them).
    attachments: list[UUID | Attached] = Field(default_factory=list, max_length=100)


class Regenerate(Frame):
    type: Literal["regenerate"]
    conversation_id: UUID
    message_id: UUID  # the user message to answer again


class Edit(Frame):
    type: Literal["edit"]
    conversation_id: UUID
    message_id: UUID  # the user message whose sibling is created
    text: str


class Stop(Frame):
    type: Literal["stop"]
    conversation_id: UUID


class Subscribe(Frame):
    type: Literal["subscribe"]
    conversation_id: UUID


ClientFrame = Annotated[Send | Regenerate | Edit | Stop | Subscribe, Field(discriminator="type")]
_client_frames: TypeAdapter[ClientFrame] = TypeAdapter(ClientFrame)


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "frame"
    return f"{where}: {first['msg']}"


def parse_client_frame(data: Any, max_chars: int) -> ClientFrame:
    """Validate one client frame (its JSON text, or the decoded value); raise
    ProtocolError, naming the problem, if it is unusable."""
    if isinstance(data, bytes):
        raise ProtocolError("bad_frame", "Frames are JSON text; a binary frame is not accepted.")
    try:
        if isinstance(data, str):
            data = payload.loads(data, what="The frame")
        else:
            payload.check(data)
    except payload.BadInput as bad:
        raise ProtocolError("bad_frame", str(bad)) from None
    if not isinstance(data, dict):
        raise ProtocolError("bad_frame", "A frame is a JSON object with a 'type'.")
    conversation_id = data.get("conversation_id")
    conversation_id = conversation_id if isinstance(conversation_id, str) else None
    try:
        frame = _client_frames.validate_python(data)
    except ValidationError as error:
        raise ProtocolError("bad_frame", _describe(error), conversation_id) from None
    text = getattr(frame, "text", "")
    if len(text) > max_chars:
        raise ProtocolError(
            "too_long",
            f"The message is {len(text)} characters long; the limit is {max_chars}.",
            conversation_id,
        )
    instructions = getattr(frame, "instructions", None) or ""
    if len(instructions) > max_chars:
        raise ProtocolError(
            "too_long",
            f"The instructions are {len(instructions)} characters long; the limit is {max_chars}.",
            conversation_id,
        )
    if isinstance(frame, Send | Edit) and not text.strip():
        raise ProtocolError("bad_frame", "text: the message is empty.", conversation_id)
    return frame


# --- server → client ----------------------------------------------------


class FileInfo(Frame):
    """A file on a message (chatapp.files.attachments.summary); `url`: its bytes, owner only."""

    id: UUID
    name: str
    mime: str
    size: int
    kind: Literal["image", "document"]
    as_text: bool = False  # the model receives its extracted text (the user's choice)
    url: str


class UserMessage(Frame):
    id: UUID
    parent_id: UUID | None
    text: str
    files: list[FileInfo] = Field(default_factory=list)  # in the order sent


class Created(Frame):
    type: Literal["created"] = "created"
    conversation_id: UUID
    user_message: UserMessage
    response_id: UUID
    endpoint: str = ""
    model: str = ""


class Delta(Frame):
    type: Literal["delta"] = "delta"
    conversation_id: UUID
    message_id: UUID
    text: str = ""
    reasoning: str = ""
    offset: int = 0  # characters of text sent before this delta
    reasoning_offset: int = 0  # characters of reasoning sent before this delta


class TokenUsage(Frame):
    prompt_tokens: int = 0
    completion_tokens: int = 0


class StepInfo(Frame):
    """A tool step: a call the model made during the response, and its result."""

    id: UUID
    position: int
    round: int  # the model call that asked for it (0 first)
    call_id: str
    tool: str
    server: str = ""  # the MCP server; "" for Parley's built-ins
    arguments: str  # as the model sent them
    state: Literal["running", "done", "error", "cancelled"]
    result: str = ""  # what went back to the model
    result_chars: int = 0  # the tool's whole output, in characters
    truncated: bool = False  # the result was cut at maxToolResultChars
    data: dict[str, Any] = Field(default_factory=dict)
    text_offset: int = 0  # characters of the response's text before the step
    duration_ms: int | None = None


class Step(Frame):
    type: Literal["step"] = "step"
    conversation_id: UUID
    message_id: UUID
    step: StepInfo


class ToolCallInfo(Frame):
    """A call of a tool the client runs itself (the /v1 API's), left to it."""

    id: str
    name: str
    arguments: str


class FinalMessage(Frame):
    id: UUID
    parent_id: UUID | None
    text: str
    reasoning: str
    state: str
    error: str = ""
    usage: TokenUsage
    cost: float
    endpoint: str = ""
    model: str = ""
    steps: list[StepInfo] = Field(default_factory=list)
    finish_reason: str | None = None  # the provider's: stop, length, content_filter, tool_calls
    tool_calls: list[ToolCallInfo] = Field(default_factory=list)  # a client's tools' (/v1 API)


class Final(Frame):
    type: Literal["final"] = "final"
    conversation_id: UUID
    message: FinalMessage


class State(Frame):
    type: Literal["state"] = "state"
    conversation_id: UUID
    message_id: UUID | None  # None: nothing is streaming in this conversation
    text: str = ""
    reasoning: str = ""
    streaming: bool
    steps: list[StepInfo] = Field(default_factory=list)


class Title(Frame):
    type: Literal["title"] = "title"
    conversation_id: UUID
    title: str


class Error(Frame):
    type: Literal["error"] = "error"
    conversation_id: UUID | None = None
    code: str
    message: str


def error_frame(error: ProtocolError) -> dict[str, Any]:
    return Error(
        conversation_id=_uuid_or_none(error.conversation_id), code=error.code, message=error.message
    ).dump()


def _uuid_or_none(value: Any) -> UUID | None:
    try:
        return UUID(str(value)) if value else None
    except ValueError:
        return None
