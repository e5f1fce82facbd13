"""Shared links: a frozen copy of one branch of a conversation, and who may open it.

LibreChat's three switches, combined as LibreChat combines them:

- `ALLOW_SHARED_LINKS` (default true) and `interface.sharedLinks` (`false` turns sharing
  off): with sharing off there is no share button, no new link, and no link opens
  (LibreChat stops serving shares); owners still list and revoke theirs.
- `interface.sharedLinks.create` (default true): users may create links.
- `interface.sharedLinks.public` (default true): a link opens for every signed-in user;
  off, only for its owner (LibreChat then shares with chosen people, which Parley lacks).
- `ALLOW_SHARED_LINKS_PUBLIC` (default false, as in LibreChat since 0.8.3): a public link
  opens for anonymous visitors too; otherwise they are sent to sign in and back.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from chatapp import access
from chatapp.branches import branch
from chatapp.engine import frames
from chatapp.files import attachments
from chatapp.models import Conversation, Message, SharedLink, StoredFile
from endpoints import config as endpoint_config
from endpoints.sections import SharedLinks


class SharingOff(PermissionDenied):
    """Creating a link is not allowed here (403 at every edge)."""


class Verdict(enum.Enum):
    VIEW = "view"
    SIGN_IN = "sign_in"  # an anonymous visitor who may see it once signed in
    MISSING = "missing"  # 404: no such link, or not for this visitor


@dataclass(frozen=True)
class Policy:
    enabled: bool  # links can be created (if `create`) and opened at all
    create: bool
    public: bool  # every signed-in user may open a link, not only its owner
    anonymous: bool  # so may anonymous visitors


def policy_from(allow: bool, allow_public: bool, setting: bool | SharedLinks | None) -> Policy:
    """The switches combined: `allow`/`allow_public` are the two environment variables,
    `setting` is `interface.sharedLinks` (absent and `true` mean the defaults)."""
    enabled = allow and setting is not False
    keys = setting if isinstance(setting, SharedLinks) else SharedLinks()
    public = enabled and keys.public is not False
    return Policy(
        enabled=enabled,
        create=enabled and keys.create is not False,
        public=public,
        anonymous=public and allow_public,
    )


def policy() -> Policy:
    """The running server's rules, from settings and librechat.yaml."""
    file = endpoint_config.current().file
    interface = file.interface if file else None
    setting = interface.sharedLinks if interface else None
    return policy_from(settings.ALLOW_SHARED_LINKS, settings.ALLOW_SHARED_LINKS_PUBLIC, setting)


def verdict(user, link: SharedLink | None, rules: Policy | None = None) -> Verdict:
    """Whether `user` (maybe anonymous) may open `link`: the one rule, for every edge."""
    rules = rules or policy()
    if link is None or not rules.enabled:
        return Verdict.MISSING
    signed_in = getattr(user, "is_authenticated", False)
    if signed_in and link.conversation.owner_id == user.pk:
        return Verdict.VIEW
    if rules.anonymous or (signed_in and rules.public):
        return Verdict.VIEW
    return Verdict.MISSING if signed_in else Verdict.SIGN_IN


def create_link(conversation: Conversation, message: Message | None) -> SharedLink:
    """A user shares their conversation, if this server lets users create links."""
    if not policy().create:
        raise SharingOff("Shared links are turned off on this server.")
    return share(conversation, message)


def share(conversation: Conversation, message: Message | None) -> SharedLink:
    """Snapshot the branch ending at `message` (default: the newest message). Unchecked:
    users go through `create_link`; an import keeps the links it brings."""
    path = branch(conversation, message)
    files = attachments.files_of(m.id for m in path)
    snapshot = [
        {
            "role": m.role,
            "text": m.text,
            "model": m.model,
            "state": m.state,
            "created_at": m.created_at.isoformat(),
            "tool_steps": [frames.step_info(step) for step in m.steps.all()],
            "files": [_file(f) for f in files.get(m.id, ())],
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


def _file(stored: StoredFile) -> dict[str, Any]:
    """A file as the snapshot keeps it: what to show, and the id its viewers may fetch."""
    return attachments.described(stored)


def messages(link: SharedLink) -> list[dict[str, Any]]:
    """The snapshot as its viewers see it: each file with the link's own URL for its bytes
    (snapshots made before files were shared have none)."""
    return [
        message | {"files": [
            f | {"url": reverse("shared-file", args=[link.token, f["id"]])}
            for f in _files(message)
        ]}
        for message in link.snapshot
    ]  # fmt: skip


def shared_file(link: SharedLink, file_id: Any) -> StoredFile:
    """A file of the link's snapshot, while its owner keeps it; any other id is 404 (the
    owner's other files, another user's). The caller has checked `verdict` first."""
    if str(file_id) not in {f.get("id") for message in link.snapshot for f in _files(message)}:
        raise Http404("No such file.")
    return access.get_file_for(link.conversation.owner, file_id)


def _files(message: Any) -> list[dict[str, Any]]:
    files = message.get("files") if isinstance(message, dict) else None
    return [f for f in files if isinstance(f, dict)] if isinstance(files, list) else []
