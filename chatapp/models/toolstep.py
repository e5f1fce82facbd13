"""A tool step: one tool call a response made during its generation, and how it ended."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from chatapp.models.message import Message


class ToolStep(models.Model):
    class State(models.TextChoices):
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        ERROR = "error", "Error"
        CANCELLED = "cancelled", "Cancelled"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField()  # order within the response
    round = models.PositiveIntegerField(default=0)  # the model call that asked for it
    call_id = models.CharField(max_length=200, blank=True)
    tool = models.CharField(max_length=200)
    server = models.CharField(max_length=200, blank=True)  # the MCP server; "" for built-ins
    arguments = models.TextField(blank=True)  # as the model sent them
    signature = models.TextField(blank=True)  # Gemini's thoughtSignature of the call, sent back
    result = models.TextField(blank=True)  # what went back to the model (after truncation)
    result_chars = models.PositiveIntegerField(default=0)  # the tool's full output length
    truncated = models.BooleanField(default=False)
    data = models.JSONField(default=dict, blank=True)  # the tool's extra output (sources…)
    state = models.CharField(max_length=16, choices=State.choices, default=State.RUNNING)
    text_offset = models.PositiveIntegerField(default=0)  # response text before the step
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["message", "position"], name="step_position")
        ]

    def __str__(self) -> str:
        return f"{self.tool} ({self.state})"
