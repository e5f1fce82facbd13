"""The prompt of a turn, built once for the two that need it: the request sent to the
provider (chatapp.engine.request) and the balance pre-flight that prices it first
(chatapp.engine.admission). One builder, so the price is the price of what is sent.

A prompt is the system prompt (the project's instructions, then the conversation's:
chatapp.library.projects; then its MCP servers' instructions: chatapp.tools.mcp) and
the conversation's branch (chatapp.branches) ending at `leaf_id`, then `new_text`, the
user's message when it is not saved yet, fitted to the model's window
(chatapp.engine.context), counted by endpoints.tokens.count_messages.

A turn reads its branch once (`read`: the messages, their files as parts, the answers'
tool steps) for both: the pre-flight prices it, and the request is built from it once the
user message is saved, unless a message on it was still streaming when it was read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from chatapp import branches
from chatapp.engine.context import fit, to_chat_messages
from chatapp.files import attachments
from chatapp.library import projects
from chatapp.models import Conversation, Message, StoredFile, ToolStep
from chatapp.tools.mcp import servers as mcp
from endpoints import tokens
from endpoints.adapters.base import ChatMessage, Part, ProviderError, TextPart
from endpoints.endpoint import Endpoint

ANSWER_RESERVE = 0.25  # share of a small window kept free for the answer
MAX_ANSWER_RESERVE = 4_096  # tokens


@dataclass(frozen=True)
class Branch:
    """A conversation's branch ending at `leaf_id`, as read for one model: the
    conversation as read (None for a new chat), the messages root first, the parts of
    those with files (chatapp.files.attachments) and the tool steps of its answers."""

    conversation: Conversation | None
    leaf_id: Any
    path: list
    parts: dict[Any, tuple[Part, ...]]
    steps: dict[Any, list[ToolStep]]

    @property
    def settled(self) -> bool:
        """Nothing on it was streaming when it was read, so it reads the same later."""
        return all(m.state != Message.State.STREAMING for m in self.path)


def read(conversation: Conversation | None, leaf_id: Any, model: str) -> Branch:
    """The branch to `leaf_id` (empty for a new chat), read from the database."""
    path = _branch(conversation, leaf_id)
    files = attachments.files_of(m.id for m in path) if path else {}
    parts = {mid: attachments.parts(_text(path, mid), on, model) for mid, on in files.items()}
    return Branch(conversation, leaf_id, path, parts, _steps(path))


def build(
    conversation: Conversation | None,
    leaf_id: Any,
    model: str,
    endpoint: Endpoint | None,
    new_text: str | None = None,
    earlier: tuple[ChatMessage, ...] = (),
    new_files: Sequence[StoredFile] = (),
    offered: Collection[str] = (),
    branch: Branch | None = None,
) -> tuple[ChatMessage, ...]:
    """The messages sent for a turn; `context_too_long` (ProviderError) when even the
    newest message and the system prompt do not fit. The branch (`branch`, else `read`
    from the database), with the files on its messages as parts and the tool steps of its
    answers as calls and results where `offered` (the turn's tool names) has the tool
    (chatapp.engine.context); `earlier` (unsaved messages before `new_text`) follow it."""
    window = tokens.context_window(model, endpoint.token_config if endpoint else None)
    if branch is None or branch.leaf_id != leaf_id:
        branch = read(conversation, leaf_id, model)
    history = to_chat_messages(branch.path, branch.parts, branch.steps, offered)
    history.extend(message for message in earlier if _says_something(message))
    if new_text is not None:
        content = attachments.parts(new_text, new_files, model) if new_files else new_text
        history.append(ChatMessage("user", content))
    return fit(
        _system_prompt(conversation),
        history,
        window,
        count=lambda message: tokens.count_message(message, model),
        reserve=min(MAX_ANSWER_RESERVE, int(window * ANSWER_RESERVE)),
    )


def asking(
    conversation: Conversation,
    question: Message,
    model: str,
    endpoint: Endpoint | None,
    offered: Collection[str] = (),
    branch: Branch | None = None,
    files: Sequence[StoredFile] = (),
) -> tuple[ChatMessage, ...]:
    """The prompt that asks the saved user message `question`: from `branch`, read before
    it was saved, when it ends at the question (a regenerate) or at its parent (its `files`
    then the question's); read again when a message on it was streaming then."""
    if branch is not None and branch.settled and branch.leaf_id == question.id:
        return build(conversation, question.id, model, endpoint, offered=offered, branch=branch)
    if branch is not None and branch.settled and branch.leaf_id == question.parent_id:
        leaf, text = question.parent_id, question.text
        return build(conversation, leaf, model, endpoint, text, (), files, offered, branch)
    return build(conversation, question.id, model, endpoint, offered=offered)


def estimate(
    conversation: Conversation | None,
    leaf_id: Any,
    model: str,
    endpoint: Endpoint | None,
    new_text: str | None = None,
    earlier: tuple[ChatMessage, ...] = (),
    new_files: Sequence[StoredFile] = (),
    branch: Branch | None = None,
) -> int:
    """The prompt tokens `build` would send: what the balance pre-flight prices."""
    try:
        built = build(
            conversation, leaf_id, model, endpoint, new_text, earlier, new_files, (), branch
        )
        return tokens.count_messages(built, model)
    except ProviderError:
        # Too long for the window: the turn ends with that error before any provider
        # call, so nothing is billed and nothing needs paying for.
        return 0


def _system_prompt(conversation: Conversation | None) -> str:
    """The project's and the conversation's instructions, then the `serverInstructions`
    of the MCP servers it chose (chatapp.tools.mcp)."""
    if conversation is None:
        return ""
    own = projects.system_prompt(conversation)
    if not conversation.mcp_servers:
        return own
    servers = mcp.instructions(conversation.owner, conversation.mcp_servers)
    return "\n\n".join(part for part in (own, servers) if part)


def _says_something(message: ChatMessage) -> bool:
    """Text, a file, a tool call or a tool result: an empty message is left out."""
    return bool(
        message.text.strip()
        or message.tool_calls
        or message.tool_results
        or any(not isinstance(part, TextPart) for part in message.parts)
    )


def _text(path: list, message_id: Any) -> str:
    return next(m.text for m in path if m.id == message_id)


def _steps(path: list) -> dict[Any, list[ToolStep]]:
    """The tool steps of the branch's answers, in order, by message."""
    answers = [m.id for m in path if m.role == "assistant"]
    found: dict[Any, list[ToolStep]] = defaultdict(list)
    if answers:
        for step in (
            ToolStep.objects.filter(message_id__in=answers).defer("data").order_by("position")
        ):
            found[step.message_id].append(step)
    return found


def _branch(conversation: Conversation | None, leaf_id: Any) -> list:
    if conversation is None or leaf_id is None:
        return []
    # conversation_id too: the related manager sets each row's conversation from it.
    rows = conversation.messages.only("id", "conversation_id", "parent_id", "role", "text", "state")
    return branches.path_to(rows, leaf_id)
