"""A user's own credentials for a `user_provided` endpoint, encrypted (chatapp/crypto.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class UserKey(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="endpoint_keys"
    )
    endpoint = models.CharField(max_length=100)
    sealed = models.TextField()  # AES-256-GCM of {"api_key", "base_url"} as JSON
    hint = models.CharField(max_length=40, blank=True)  # the masked key, for display only
    expires_at = models.DateTimeField(null=True, blank=True)  # None: never
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["endpoint"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "endpoint"], name="userkey_one_per_endpoint"),
        ]

    def __str__(self) -> str:
        return f"{self.endpoint} ({self.hint})"
