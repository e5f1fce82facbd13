"""The result of one scheduled check of one key of an endpoint (chatapp.channelchecks).

Operators' data, not users': the key is stored masked, never whole.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class ChannelCheck(models.Model):
    endpoint = models.CharField(max_length=200)
    channel = models.CharField(max_length=200)  # "key 1", a channel's name; "key" when alone
    key = models.CharField(max_length=100)  # masked (endpoints.report.mask)
    base_url = models.CharField(max_length=2000, blank=True)
    model = models.CharField(max_length=200)
    ok = models.BooleanField()
    error = models.TextField(blank=True)  # the ProviderError's message for users
    reply = models.CharField(max_length=300, blank=True)  # the reply's start
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    state = models.CharField(max_length=40, blank=True)  # the breaker's after the check
    checked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-checked_at", "endpoint", "channel"]
        indexes = [models.Index(fields=["endpoint", "-checked_at"], name="channelcheck_latest")]

    def __str__(self) -> str:
        return f"{self.endpoint} {self.channel}: {'ok' if self.ok else 'failed'}"
