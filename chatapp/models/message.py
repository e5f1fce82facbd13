"""A message: one node of a conversation's tree (`parent` is None at the root)."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from chatapp.models.conversation import Conversation


class Message(models.Model):
    class Role(models.TextChoices):
        USER = "user", "User"
        ASSISTANT = "assistant", "Assistant"

    class State(models.TextChoices):
        STREAMING = "streaming", "Streaming"
        COMPLETE = "complete", "Complete"
        ABORTED = "aborted", "Aborted"
        ERROR = "error", "Error"
        INTERRUPTED = "interrupted", "Interrupted"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    text = models.TextField(blank=True)
    reasoning = models.TextField(blank=True)
    endpoint = models.CharField(max_length=100, blank=True)
    model = models.CharField(max_length=200, blank=True)
    prompt_tokens = models.PositiveIntegerField(default=0)
    completion_tokens = models.PositiveIntegerField(default=0)
    cost = models.DecimalField(max_digits=14, decimal_places=8, default=0)
    state = models.CharField(max_length=16, choices=State.choices, default=State.COMPLETE)
    error = models.TextField(blank=True)
    # The names and extracted text of the message's files, for search only
    # (chatapp/files/findable.py keeps it; the files themselves are Attachment rows).
    files_text = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    # Touched by every partial save: a live generation's heartbeat (see chatapp/engine/recovery.py).
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # The whole tree of one conversation, in creation order.
            models.Index(fields=["conversation", "created_at"], name="msg_tree"),
            # Streams to recover after a crash.
            models.Index(fields=["state", "updated_at"], name="msg_state"),
        ]

    def __str__(self) -> str:
        return f"{self.role}: {self.text[:40]}"

    @property
    def tool_steps(self) -> list:
        """The tool steps the answer made, in order (templates; prefetch `steps` for many)."""
        return list(self.steps.all())
