"""A bookmark: a user's named tag on conversations (LibreChat's `conversationtags`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from chatapp.models.conversation import Conversation

NAME_MAX = 100
DESCRIPTION_MAX = 1000


class ConversationTag(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversation_tags"
    )
    name = models.CharField(max_length=NAME_MAX)
    description = models.CharField(max_length=DESCRIPTION_MAX, blank=True)
    position = models.PositiveIntegerField(default=0)
    conversations = models.ManyToManyField(Conversation, related_name="tags", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="tag_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name
