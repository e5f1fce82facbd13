"""Shared links: a frozen, public copy of one branch of a conversation."""

from __future__ import annotations

from chatapp.conversations import branch
from chatapp.models import Conversation, Message, SharedLink


def share(conversation: Conversation, message: Message | None) -> SharedLink:
    """Snapshot the branch ending at `message` (default: the newest message)."""
    path = branch(conversation, message)
    snapshot = [
        {
            "role": m.role,
            "text": m.text,
            "model": m.model,
            "state": m.state,
            "created_at": m.created_at.isoformat(),
        }
        for m in path
    ]
    return SharedLink.objects.create(
        conversation=conversation,
        message=path[-1] if path else None,
        title=conversation.title,
        snapshot=snapshot,
    )


def link_dict(link: SharedLink, url: str) -> dict:
    return {
        "token": link.token,
        "url": url,
        "conversation_id": str(link.conversation_id),
        "message_id": str(link.message_id) if link.message_id else None,
        "title": link.title,
        "created_at": link.created_at.isoformat(),
    }
