"""The prompts library: a group (name, /command, category, description) and its versions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class PromptGroup(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="prompt_groups"
    )
    name = models.CharField(max_length=100)
    command = models.CharField(max_length=50, blank=True)  # typed after "/" in the composer
    category = models.CharField(max_length=50, blank=True)
    oneliner = models.CharField(max_length=200, blank=True)
    shared = models.BooleanField(default=False)  # every user may use it
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "command"], condition=~Q(command=""), name="prompt_command_once"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def production(self) -> Prompt | None:
        return self.versions.filter(is_production=True).first()


class Prompt(models.Model):
    """One version of a group's text; exactly one is the production version."""

    group = models.ForeignKey(PromptGroup, on_delete=models.CASCADE, related_name="versions")
    text = models.TextField()
    is_production = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["group"], condition=Q(is_production=True), name="prompt_one_production"
            )
        ]

    def __str__(self) -> str:
        return f"{self.group} ({self.created_at:%Y-%m-%d %H:%M})"
