"""What a user entered for an MCP server: its `customUserVars` and their own key,
encrypted (chatapp/crypto.py), never sent back to the browser."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class McpUserValues(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mcp_values"
    )
    server = models.CharField(max_length=100)
    sealed = models.TextField()  # AES-256-GCM of {"variables": {...}, "api_key": "..."}
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["server"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "server"], name="mcpvalues_one_per_server"),
        ]

    def __str__(self) -> str:
        return self.server
