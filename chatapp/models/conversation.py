"""A conversation: the owner's settings for a tree of messages."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class Conversation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversations"
    )
    endpoint = models.CharField(max_length=100, blank=True)
    model = models.CharField(max_length=200, blank=True)
    # The modelSpecs name the conversation runs on ("" for a raw endpoint): the one it was
    # started with, until a send names another. The header shows it (LibreChat's `spec`).
    spec = models.CharField(max_length=100, blank=True)
    title = models.CharField(max_length=200, blank=True)
    # The composer's globe: web search is offered to the model on this conversation's
    # turns (chatapp/tools/websearch); each send may switch it.
    web_search = models.BooleanField(default=False)
    parameters = models.JSONField(default=dict, blank=True)
    system_prompt = models.TextField(blank=True)
    archived = models.BooleanField(default=False)
    # A temporary chat (set only when it starts): out of the sidebar, search and bookmarks,
    # deleted by chatapp.temporary.sweep once this time has passed.
    expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    project = models.ForeignKey(
        "chatapp.Project",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,  # deleting a project keeps its conversations
        related_name="conversations",
    )
    # The MCP servers (librechat.yaml `mcpServers` names) whose tools its turns are offered.
    mcp_servers = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            # The sidebar: a user's (un)archived conversations, newest first.
            models.Index(fields=["owner", "archived", "-updated_at", "-id"], name="conv_sidebar"),
            models.Index(fields=["expires_at"], name="conv_expiry"),
        ]

    def __str__(self) -> str:
        return self.title or str(self.id)

    @property
    def temporary(self) -> bool:
        return self.expires_at is not None
