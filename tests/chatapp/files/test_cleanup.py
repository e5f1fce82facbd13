"""Uploads never attached to a message go after a day; attached ones and avatars stay."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from chatapp import tasks
from chatapp.files import cleanup, uploads
from chatapp.models import Attachment, StoredFile
from tests.chatapp import factories
from tests.chatapp.files.conftest import png_bytes, upload

pytestmark = pytest.mark.django_db


def make(user) -> StoredFile:
    return uploads.store(user, upload("a.png", png_bytes()), endpoint="openAI")


def test_only_day_old_unattached_uploads_are_removed(
    user, files_root, django_capture_on_commit_callbacks
):
    old, fresh, kept, avatar = make(user), make(user), make(user), make(user)
    day_ago = timezone.now() - timedelta(days=1, minutes=1)
    StoredFile.objects.filter(pk__in=[old.pk, kept.pk, avatar.pk]).update(created_at=day_ago)
    StoredFile.objects.filter(pk=avatar.pk).update(kind=StoredFile.Kind.AVATAR)
    asked, _ = factories.exchange(factories.conversation(user), "look", "seen")
    Attachment.objects.create(message=asked, file=kept)
    StoredFile.objects.filter(pk=kept.pk).update(attached_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.delete_unattached_files() == 1
    assert set(StoredFile.objects.values_list("pk", flat=True)) == {fresh.pk, kept.pk, avatar.pk}
    assert len([p for p in files_root.rglob("*") if p.is_file()]) == 3
    assert cleanup.sweep(timezone.now()) == 0
