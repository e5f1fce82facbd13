"""Conversation operations behind the JSON API: list, tree, rename, archive, delete, fork.

Plain functions over models; callers fetch the conversation through
`chatapp.access` first, so every row here is already the user's own.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.db.models import Q

from chatapp import access, branches
from chatapp.engine import frames
from chatapp.files import attachments
from chatapp.models import Conversation, Message
from chatapp.search import sync

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
TITLE_MAX = 200


class BadRequest(ValueError):
    """Input the API answers with 400 and this message."""


@dataclass(frozen=True)
class Page:
    conversations: list[Conversation]
    next_cursor: str | None


def list_page(
    user,
    *,
    archived: bool,
    cursor: str | None,
    limit: int = PAGE_SIZE,
    query: str = "",
    tag: Any = None,
    outside_projects: bool = False,
) -> Page:
    """One page of the sidebar, newest first; `cursor` continues after the last page;
    `query` keeps the conversations whose title contains it, `tag` (a bookmark, already
    the user's) those it marks; `outside_projects` leaves out those the sidebar shows under
    their project. Temporary chats are left out."""
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    rows = access.conversations_for(user).filter(archived=archived, expires_at=None)
    rows = rows.order_by("-updated_at", "-id")
    if outside_projects:
        rows = rows.filter(project__isnull=True)
    if query:
        rows = rows.filter(title__icontains=query)
    if tag is not None:
        rows = rows.filter(tags=tag)
    if cursor:
        updated_at, last_id = _decode_cursor(cursor)
        rows = rows.filter(Q(updated_at__lt=updated_at) | Q(updated_at=updated_at, id__lt=last_id))
    found = list(rows[: limit + 1])
    more = len(found) > limit
    found = found[:limit]
    return Page(found, _encode_cursor(found[-1]) if more else None)


def _encode_cursor(conversation: Conversation) -> str:
    raw = f"{conversation.updated_at.isoformat()}|{conversation.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    """The position a cursor names; anything but one this API made is a BadRequest
    (a naive or out-of-range time, or a malformed id, would fail in the query)."""
    try:
        stamp, last_id = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        when = datetime.fromisoformat(stamp)
        if when.tzinfo is None:
            raise ValueError("naive time")
        return when.astimezone(UTC), uuid.UUID(last_id)
    except (ValueError, OverflowError, binascii.Error, UnicodeError):
        raise BadRequest("cursor: not a cursor this API returned.") from None


def conversation_dict(conversation: Conversation) -> dict[str, Any]:
    return {
        "id": str(conversation.id),
        "title": conversation.title,
        "endpoint": conversation.endpoint,
        "model": conversation.model,
        "spec": conversation.spec,
        "parameters": conversation.parameters,
        "system_prompt": conversation.system_prompt,
        "archived": conversation.archived,
        "created_at": conversation.created_at.isoformat(),
        "updated_at": conversation.updated_at.isoformat(),
    }


def message_dict(message: Message) -> dict[str, Any]:
    return {
        "id": str(message.id),
        "parent_id": str(message.parent_id) if message.parent_id else None,
        "role": message.role,
        "text": message.text,
        "reasoning": message.reasoning,
        "endpoint": message.endpoint,
        "model": message.model,
        "state": message.state,
        "error": message.error,
        "usage": {
            "prompt_tokens": message.prompt_tokens,
            "completion_tokens": message.completion_tokens,
        },
        "cost": float(message.cost),
        "created_at": message.created_at.isoformat(),
        "steps": [frames.step_info(step) for step in message.steps.all()],
    }


def tree(conversation: Conversation) -> dict[str, Any]:
    """The whole tree as a flat list in creation order, each node with its sibling index.

    `current_id` is the newest message: the branch a client shows first ends there.
    """
    messages = list(conversation.messages.order_by("created_at", "id"))
    children: dict[Any, list[str]] = defaultdict(list)
    position: dict[Any, int] = {}  # each message's index among its siblings, found once
    for message in messages:
        group = children[message.parent_id]
        position[message.id] = len(group)
        group.append(str(message.id))
    nodes = []
    files = attachments.files_of(m.id for m in messages)
    for message in messages:
        node = message_dict(message)
        node["files"] = [attachments.summary(f) for f in files.get(message.id, ())]
        node["sibling_index"] = position[message.id]
        node["sibling_count"] = len(children[message.parent_id])
        node["children"] = children.get(message.id, [])
        nodes.append(node)
    return {
        "conversation": conversation_dict(conversation),
        "messages": nodes,
        "current_id": str(messages[-1].id) if messages else None,
    }


def update(conversation: Conversation, changes: dict[str, Any]) -> Conversation:
    """Rename and/or (un)archive."""
    unknown = set(changes) - {"title", "archived"}
    if unknown:
        raise BadRequest(f"Only 'title' and 'archived' can be changed, not {sorted(unknown)}.")
    if "title" in changes:
        title = changes["title"]
        if not isinstance(title, str) or not title.strip() or len(title) > TITLE_MAX:
            raise BadRequest(f"title: a non-empty text of at most {TITLE_MAX} characters.")
        conversation.title = title.strip()
    if "archived" in changes:
        if not isinstance(changes["archived"], bool):
            raise BadRequest("archived: true or false.")
        conversation.archived = changes["archived"]
    conversation.save(update_fields=["title", "archived", "updated_at"])
    sync.conversation_changed(conversation.id)
    return conversation


def delete(conversation: Conversation) -> None:
    """Delete a conversation with its messages and shares; the search index forgets it."""
    conversation_id = conversation.id
    conversation.delete()
    sync.conversation_deleted(conversation_id)


def fork(user, conversation: Conversation, message: Message) -> Conversation:
    """A new conversation holding copies of the branch from the root to `message`, each
    message with its files."""
    with transaction.atomic():
        copy = Conversation.objects.create(
            owner=user,
            title=conversation.title,
            endpoint=conversation.endpoint,
            model=conversation.model,
            parameters=conversation.parameters,
            system_prompt=conversation.system_prompt,
        )
        parent = None
        path = branches.branch(conversation, message)
        files = attachments.files_of(m.id for m in path)
        for original in path:
            parent = copy_message(original, copy, parent)
            attachments.attach(parent, files.get(original.id, ()))  # the same files, the user's
        sync.conversation_changed(copy.id)
    return copy


def copy_message(original: Message, conversation: Conversation, parent: Message | None) -> Message:
    fields = {
        name: getattr(original, name)
        for name in (
            "role", "text", "reasoning", "endpoint", "model", "prompt_tokens",
            "completion_tokens", "cost", "state", "error",
        )
    }  # fmt: skip
    if fields["state"] == Message.State.STREAMING:
        fields["state"] = Message.State.INTERRUPTED
    return Message.objects.create(conversation=conversation, parent=parent, **fields)
