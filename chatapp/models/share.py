"""A shared link: a public, read-only snapshot of a conversation up to one message."""

from __future__ import annotations

import secrets

from django.db import models

from chatapp.models.conversation import Conversation
from chatapp.models.message import Message


def new_token() -> str:
    return secrets.token_urlsafe(16)


class SharedLink(models.Model):
    token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="shared_links"
    )
    # The last message shared; the snapshot is the path from the root to it.
    message = models.ForeignKey(Message, null=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(max_length=200, blank=True)
    # Frozen copy ([{role, text, model, created_at}]): later edits do not change the share.
    snapshot = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title or self.token
