"""A preset: a user's named endpoint + model + parameters + system prompt."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Preset(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="presets"
    )
    name = models.CharField(max_length=100)
    endpoint = models.CharField(max_length=100)
    model = models.CharField(max_length=200)
    parameters = models.JSONField(default=dict, blank=True)
    system_prompt = models.TextField(blank=True)
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="preset_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name
