"""The only way to fetch rows a user owns: anyone else gets `Http404`.

Views, consumers and domain functions call these instead of querying the
models by id, so an id that belongs to another user behaves exactly like an id
that does not exist.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from chatapp.models import (
    Conversation,
    ConversationTag,
    Message,
    Preset,
    Project,
    PromptGroup,
    SharedLink,
    StoredFile,
)


def _uuid(value: Any) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise Http404("No such conversation or message.") from None


def conversations_for(user) -> QuerySet[Conversation]:
    """Every conversation the user owns (none for an anonymous user)."""
    if not getattr(user, "is_authenticated", False):
        return Conversation.objects.none()
    return Conversation.objects.filter(owner=user)


def get_conversation_for(user, conversation_id: Any, *, for_update: bool = False) -> Conversation:
    rows = conversations_for(user)
    if for_update:
        rows = rows.select_for_update()
    conversation = rows.filter(pk=_uuid(conversation_id)).first()
    if conversation is None:
        raise Http404("No such conversation.")
    return conversation


def get_message_for(user, conversation: Conversation, message_id: Any) -> Message:
    """A message of `conversation`, which must be the user's."""
    if conversation.owner_id != getattr(user, "pk", None):
        raise Http404("No such message.")
    message = conversation.messages.filter(pk=_uuid(message_id)).first()
    if message is None:
        raise Http404("No such message.")
    return message


def get_preset_for(user, preset_id: Any) -> Preset:
    if not getattr(user, "is_authenticated", False):
        raise Http404("No such preset.")
    try:
        pk = int(preset_id)
    except (TypeError, ValueError):
        raise Http404("No such preset.") from None
    preset = Preset.objects.filter(owner=user, pk=pk).first()
    if preset is None:
        raise Http404("No such preset.")
    return preset


def tags_for(user) -> QuerySet[ConversationTag]:
    """The user's bookmarks, in their order (none for an anonymous user)."""
    if not getattr(user, "is_authenticated", False):
        return ConversationTag.objects.none()
    return ConversationTag.objects.filter(owner=user)


def get_tag_for(user, tag_id: Any) -> ConversationTag:
    try:
        pk = int(tag_id)
    except (TypeError, ValueError):
        raise Http404("No such bookmark.") from None
    tag = tags_for(user).filter(pk=pk).first()
    if tag is None:
        raise Http404("No such bookmark.")
    return tag


def _int_pk(value: Any, what: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404(f"No such {what}.") from None


def prompt_groups_for(user) -> QuerySet[PromptGroup]:
    """The prompt groups the user owns (shared ones are used through library.prompts.usable,
    never edited by anyone but their owner)."""
    if not getattr(user, "is_authenticated", False):
        return PromptGroup.objects.none()
    return PromptGroup.objects.filter(owner=user)


def get_prompt_group_for(user, group_id: Any) -> PromptGroup:
    group = prompt_groups_for(user).filter(pk=_int_pk(group_id, "prompt")).first()
    if group is None:
        raise Http404("No such prompt.")
    return group


def projects_for(user) -> QuerySet[Project]:
    if not getattr(user, "is_authenticated", False):
        return Project.objects.none()
    return Project.objects.filter(owner=user)


def get_project_for(user, project_id: Any) -> Project:
    project = projects_for(user).filter(pk=_int_pk(project_id, "project")).first()
    if project is None:
        raise Http404("No such project.")
    return project


def shared_links_for(user) -> QuerySet[SharedLink]:
    """Every link the user created, newest first (none for an anonymous user)."""
    return SharedLink.objects.filter(conversation__in=conversations_for(user))


def get_shared_link_for(user, token: str) -> SharedLink:
    """A share the user created (to revoke it)."""
    link = shared_links_for(user).filter(token=token).first()
    if link is None:
        raise Http404("No such shared link.")
    return link


def find_share(token: str) -> SharedLink | None:
    """The link with this token, whoever owns it: `sharing.verdict` decides who may open it."""
    return SharedLink.objects.select_related("conversation").filter(token=token).first()


def files_for(user) -> QuerySet[StoredFile]:
    """The user's stored files, newest first (none for an anonymous user)."""
    if not getattr(user, "is_authenticated", False):
        return StoredFile.objects.none()
    return StoredFile.objects.filter(owner=user)


def get_file_for(user, file_id: Any) -> StoredFile:
    try:
        pk = _uuid(file_id)
    except Http404:
        raise Http404("No such file.") from None
    found = files_for(user).filter(pk=pk).first()
    if found is None:
        raise Http404("No such file.")
    return found
