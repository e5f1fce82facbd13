"""A stored file (an upload) and its place on messages.

The bytes live in a storage (`storage` names the strategy, `key` the object);
the row holds what was learnt from them: the type sniffed from the bytes, the
size, the SHA-256 and, once extracted, the text. A file never attached to a
message (`attached_at` unset) is removed a day after its upload
(chatapp/files/cleanup.py).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from chatapp.models.conversation import Conversation
from chatapp.models.message import Message


class StoredFile(models.Model):
    class Kind(models.TextChoices):
        IMAGE = "image", "Image"
        DOCUMENT = "document", "Document"
        AVATAR = "avatar", "Avatar"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="files"
    )
    name = models.CharField(max_length=255)  # as the user's browser named it; display only
    mime = models.CharField(max_length=150)  # sniffed from the bytes
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    storage = models.CharField(max_length=16)  # the strategy: local, s3, azure_blob
    key = models.CharField(max_length=300, unique=True)
    # The conversation it was uploaded into, if any (the owner's own).
    conversation = models.ForeignKey(
        Conversation, null=True, blank=True, on_delete=models.SET_NULL, related_name="uploads"
    )
    endpoint = models.CharField(max_length=100, blank=True)  # whose limits it passed
    text = models.TextField(blank=True)  # extracted text, truncated to fileTokenLimit
    text_tokens = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    attached_at = models.DateTimeField(null=True, blank=True)
    messages = models.ManyToManyField(Message, through="Attachment", related_name="files")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="file_owner"),
            # Uploads never attached, for the daily clean-up.
            models.Index(fields=["attached_at", "created_at"], name="file_unattached"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.mime}, {self.size} bytes)"


class Attachment(models.Model):
    """File `file` is part `position` of message `message` (after its text); `as_text`:
    the model receives the file's extracted text instead of the file (the user's choice)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.ForeignKey(StoredFile, on_delete=models.CASCADE, related_name="attachments")
    position = models.PositiveSmallIntegerField(default=0)
    as_text = models.BooleanField(default=False)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["message", "file"], name="attachment_once"),
        ]

    def __str__(self) -> str:
        return f"{self.file_id} on {self.message_id}"
