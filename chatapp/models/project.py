"""A project: a folder of conversations with shared instructions and a default model spec."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Project(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="projects"
    )
    name = models.CharField(max_length=100)
    # Added to the system prompt of every conversation in the project.
    instructions = models.TextField(blank=True)
    model_spec = models.CharField(max_length=100, blank=True)  # a modelSpecs list item's name
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name
