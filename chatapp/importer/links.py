"""Where LibreChat's links lead in Parley.

LibreChat's `/c/<conversationId>` and `/share/<shareId>` are Parley's own paths
too, and the import keeps both ids, so most old links work as they are. This
covers the rest: `/c/new` (LibreChat's new chat) and conversation ids that were
not UUIDs, which the import mapped to stable UUIDs (values.as_uuid).
"""

from __future__ import annotations

from django.urls import reverse

from chatapp.importer.values import as_uuid

NEW_CHAT = "new"


def conversation_path(legacy_id: str) -> str:
    if legacy_id == NEW_CHAT:
        return reverse("home")
    return reverse("chat:conversation", args=[as_uuid(legacy_id)])
