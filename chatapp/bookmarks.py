"""Bookmarks: a user's tags on conversations, with a description, a position and a count
(LibreChat's conversation tags). `interface.bookmarks: false` turns them off.

A temporary chat is never bookmarked (chatapp.temporary).
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet

from chatapp import access
from chatapp.conversations import BadRequest
from chatapp.models import Conversation, ConversationTag
from chatapp.models.tag import DESCRIPTION_MAX, NAME_MAX
from endpoints import config as endpoint_config


def enabled() -> bool:
    file = endpoint_config.current().file
    return not (file and file.interface and file.interface.bookmarks is False)


def require_enabled() -> None:
    if not enabled():
        raise BadRequest("Bookmarks are turned off on this server.")


def counted(user) -> QuerySet[ConversationTag]:
    """The user's tags in order, each with `count`: its conversations that are not temporary."""
    kept = Q(conversations__expires_at=None, conversations__isnull=False)
    counts = access.tags_for(user).annotate(count=Count("conversations", filter=kept))
    return counts.order_by(*ConversationTag._meta.ordering)  # a grouped query drops Meta's


def _name(raw: Any) -> str:
    name = raw.strip() if isinstance(raw, str) else ""
    if not name or len(name) > NAME_MAX:
        raise BadRequest(f"A bookmark needs a name of at most {NAME_MAX} characters.")
    return name


def _description(raw: Any) -> str:
    text = raw.strip() if isinstance(raw, str) else ""
    if len(text) > DESCRIPTION_MAX:
        raise BadRequest(f"A bookmark's description has at most {DESCRIPTION_MAX} characters.")
    return text


def save(user, name: Any, description: Any = "", tag: ConversationTag | None = None):
    """Create a bookmark (placed last), or rename and describe `tag`."""
    require_enabled()
    if tag is None:
        tag = ConversationTag(owner=user, position=access.tags_for(user).count())
    tag.name, tag.description = _name(name), _description(description)
    try:
        with transaction.atomic():
            tag.save()
    except IntegrityError:
        raise BadRequest(f"You already have a bookmark named “{tag.name}”.") from None
    return tag


def move(user, tag: ConversationTag, position: int) -> None:
    """Put `tag` at `position` (0 first); the others keep their order around it."""
    tags = [t for t in access.tags_for(user) if t.pk != tag.pk]
    tags.insert(max(0, min(position, len(tags))), tag)
    with transaction.atomic():
        for index, each in enumerate(tags):
            ConversationTag.objects.filter(pk=each.pk).update(position=index)


def set_tags(user, conversation: Conversation, names: list[str]) -> list[ConversationTag]:
    """The conversation's bookmarks become exactly the user's tags named in `names`;
    a name the user has no tag for is created."""
    require_enabled()
    if conversation.temporary:
        raise BadRequest("A temporary chat cannot be bookmarked.")
    wanted = [save_or_get(user, name) for name in dict.fromkeys(_name(n) for n in names)]
    conversation.tags.set(wanted)
    return wanted


def save_or_get(user, name: str) -> ConversationTag:
    found = access.tags_for(user).filter(name=name).first()
    return found or save(user, name)
