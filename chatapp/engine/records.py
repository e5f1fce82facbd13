"""Starting a turn: validate, authorise, then save the user message and the
response placeholder in one transaction, before any provider is called.

`send`, `regenerate` and `edit` each return a `Turn` that `generation.start`
runs. A conversation has at most one response streaming at a time, in every
web process: the check runs under a row lock on the conversation.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from chatapp import access, instructions, temporary
from chatapp.conf import rows
from chatapp.engine.refusal import Refusal
from chatapp.files import attachments
from chatapp.models import Conversation, Message
from chatapp.search import sync
from chatapp.tools.mcp import servers as mcp
from endpoints.adapters.base import ChatMessage, ToolSpec

SPEC_MAX = Conversation._meta.get_field("spec").max_length


@dataclass(frozen=True)
class ClientPrompt:
    """The /v1 API's prompt as its client sent it (chatapp.gateway): every message after the
    system prompt, images, tool calls and tool results included, sent instead of the saved
    branch (which keeps their text: `Ask.history`); and the client's own tools. A reply
    that calls one of them ends the turn and goes back to the client, which runs it."""

    messages: tuple[ChatMessage, ...]
    tools: tuple[ToolSpec, ...] = ()
    tool_choice: str | None = None  # one of `tools` the reply must call (ChatRequest's)


@dataclass(frozen=True)
class Ask:
    """A new message and where it goes: what any edge hands the engine to start a turn."""

    text: str
    endpoint: str
    model: str
    conversation_id: Any = None  # None starts a conversation
    parent_id: Any = None  # the message it follows; None: a root message
    params: dict[str, Any] = field(default_factory=dict)  # allow-listed before saving
    instructions: str | None = None  # the system prompt; None keeps the conversation's
    temporary: bool = False  # a new chat only: kept out of lists, deleted later
    spec: str | None = None  # a modelSpecs name
    project: int | None = None  # a new chat only: one of the user's projects
    web_search: bool | None = None  # the composer's globe; None keeps the conversation's
    mcp_servers: list[str] | None = None  # the picker's MCP servers; None keeps the chosen
    # A new chat only: the messages before `text`, saved as its branch (the /v1 API's
    # request carries the whole conversation), each a role ("user", "assistant") and text.
    history: tuple[tuple[str, str], ...] = ()
    # A new chat only: deleted once the turn is billed (an API request its key does not keep).
    unsaved: bool = False
    api_key: Any = None  # the personal API key it came through, for its transactions
    # StoredFile ids, or {id, as_text}, in order (chatapp.files.attachments.choices)
    attachments: tuple[Any, ...] = ()
    prompt: ClientPrompt | None = None  # a new chat only: the /v1 API's own prompt and tools


@dataclass(frozen=True)
class Turn:
    conversation: Conversation
    user_message: Message
    response: Message
    params: dict
    unsaved: bool = False  # the conversation goes once the turn is billed
    new: bool = False  # the turn started its conversation
    api_key: Any = None  # the personal API key's id, recorded on its transactions
    files: tuple[dict, ...] = ()  # the user message's files, as the `created` frame shows them
    prompt: ClientPrompt | None = None  # sent instead of the branch (the /v1 API's)


def send(user, ask: Ask, files: list | None = None) -> Turn:
    """`ask` saved; `files`, its attachments as chatapp.files.attachments.for_send
    checked them (checked here when None)."""
    if files is None:
        files = attachments.for_send(
            user, ask.attachments, ask.endpoint, ask.model, ask.conversation_id
        )
    new = ask.conversation_id is None
    if new and not ask.history and ask.parent_id is None and not files:
        # A new chat's first message: the chat, the message and its placeholder are saved
        # all or none by chatapp.conf.rows (`_turn`; on PostgreSQL one INSERT, atomic by
        # itself), so no transaction is opened around them: its BEGIN and COMMIT were two
        # more round trips before the provider is asked.
        turn = _turn(_new_conversation(user, ask), None, ask.text)
    else:
        with transaction.atomic():
            turn = _saved(user, ask, files)
    return replace(
        turn,
        new=new,
        unsaved=ask.unsaved and new,
        api_key=ask.api_key,
        prompt=ask.prompt if new else None,
    )


def _saved(user, ask: Ask, files: list) -> Turn:
    """`ask` saved, in the caller's transaction: its conversation's row locked if it has one."""
    if ask.conversation_id is None:
        conversation = _new_conversation(user, ask)
        parent_id = ask.parent_id
        if ask.history or parent_id is not None:  # saved first: they refer to it
            conversation.save(force_insert=True)
        if ask.history:
            parent_id = _save_history(conversation, ask.history)
    else:
        conversation = access.get_conversation_for(user, ask.conversation_id, for_update=True)
        _ensure_idle(conversation)
        parent_id = ask.parent_id
        _set_choices(conversation, ask)
        conversation.save(update_fields=[*CHOICES, "updated_at"])
    parent = None
    if parent_id is not None:
        parent = access.get_message_for(user, conversation, parent_id)
    return _turn(conversation, parent, ask.text, files)


def _new_conversation(user, ask: Ask) -> Conversation:
    """The conversation `ask` starts, not saved yet."""
    conversation = Conversation(
        owner=user,
        system_prompt=instructions.for_new_chat(user),
        expires_at=new_chat_expiry(ask.temporary, ask.unsaved),
        project=access.get_project_for(user, ask.project) if ask.project else None,
    )
    _set_choices(conversation, ask)
    return conversation


CHOICES = ("endpoint", "model", "spec", "parameters", "system_prompt", "web_search", "mcp_servers")


def _set_choices(conversation: Conversation, ask: Ask) -> None:
    """What a send chooses for its conversation (`CHOICES`); None keeps what it had."""
    conversation.endpoint, conversation.model = ask.endpoint, ask.model
    conversation.spec = (ask.spec or "")[:SPEC_MAX]
    conversation.parameters = ask.params
    if ask.instructions is not None:
        conversation.system_prompt = ask.instructions
    if ask.web_search is not None:
        conversation.web_search = ask.web_search
    if ask.mcp_servers is not None:
        conversation.mcp_servers = mcp.chosen(ask.mcp_servers)  # only the picker's servers


def _save_history(conversation: Conversation, history: tuple[tuple[str, str], ...]) -> Any:
    """Save `history` as a branch of the new `conversation`; the id of its last message."""
    parent = None
    for role, text in history:
        parent = Message.objects.create(
            conversation=conversation,
            parent=parent,
            role=role,
            text=text,
            state=Message.State.COMPLETE,
            endpoint=conversation.endpoint if role == Message.Role.ASSISTANT else "",
            model=conversation.model if role == Message.Role.ASSISTANT else "",
        )
    return parent.id if parent else None


def regenerate(user, conversation_id: Any, message_id: Any) -> Turn:
    """A new response sibling to the same user message."""
    with transaction.atomic():
        conversation = access.get_conversation_for(user, conversation_id, for_update=True)
        _ensure_idle(conversation)
        question = _user_message(user, conversation, message_id)
        conversation.save(update_fields=["updated_at"])
        files = attachments.files_of([question.id]).get(question.id, [])
        response = _placeholder(conversation, question)
        response.save(force_insert=True)
        return Turn(conversation, question, response, _params(conversation), files=_shown(files))


def edit(user, conversation_id: Any, message_id: Any, text: str) -> Turn:
    """A new user message beside the edited one (a new branch), then its response."""
    with transaction.atomic():
        conversation = access.get_conversation_for(user, conversation_id, for_update=True)
        _ensure_idle(conversation)
        original = _user_message(user, conversation, message_id)
        conversation.save(update_fields=["updated_at"])
        kept = attachments.files_of([original.id]).get(original.id, [])  # an edit keeps them
        return _turn(conversation, original.parent, text, kept)


def _turn(conversation: Conversation, parent: Message | None, text: str, files=()) -> Turn:
    """The user message and its response placeholder saved, with `conversation` when it
    is new: one INSERT statement (chatapp.conf.rows)."""
    question = Message(conversation=conversation, parent=parent, role=Message.Role.USER, text=text)
    response = _placeholder(conversation, question)
    new = [conversation] if conversation._state.adding else []
    rows.insert(*new, question, response)
    attachments.attach(question, files)
    sync.conversation_changed(conversation.id, [question.id])
    return Turn(conversation, question, response, _params(conversation), files=_shown(files))


def _shown(files) -> tuple[dict, ...]:
    return tuple(attachments.summary(f) for f in files)


def _placeholder(conversation: Conversation, question: Message) -> Message:
    """The response to `question`, streaming, not saved yet."""
    return Message(
        conversation=conversation,
        parent=question,
        role=Message.Role.ASSISTANT,
        endpoint=conversation.endpoint,
        model=conversation.model,
        state=Message.State.STREAMING,
    )


def new_chat_expiry(temporary_chat: bool, unsaved: bool = False) -> datetime | None:
    """When a new chat is deleted: None unless it is temporary (chatapp.temporary). An
    unsaved one is deleted when its turn is billed; its expiry is the sweeper's backstop."""
    if unsaved:
        return temporary.backstop(timezone.now())
    if not temporary_chat:
        return None
    try:
        return temporary.expiry(timezone.now())
    except temporary.Disabled as off:
        raise Refusal("temporary_chat_disabled", str(off)) from None


def _params(conversation: Conversation) -> dict:
    return dict(conversation.parameters or {})


def _user_message(user, conversation: Conversation, message_id) -> Message:
    message = access.get_message_for(user, conversation, message_id)
    if message.role != Message.Role.USER:
        raise Refusal("bad_frame", "message_id must name a user message.", conversation.id)
    return message


def _ensure_idle(conversation: Conversation) -> None:
    if conversation.messages.filter(state=Message.State.STREAMING).exists():
        raise Refusal(
            "busy",
            "A response is still being generated in this conversation; stop it first.",
            conversation.id,
        )
