"""Files kept on S3 (moto's server) and Azure Blob (azurite): stored with the sniffed type,
streamed in parts, read back for the model, and never left behind by a failed upload, a
delete or the sweep."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.db import DataError, connection
from django.utils import timezone

from chatapp.files import attachments, cleanup, storage, uploads
from chatapp.models import StoredFile
from tests.chatapp.files.conftest import bomb_png, pdf_bytes, png_bytes, upload
from tests.conftest import require_service

pytestmark = pytest.mark.django_db


def test_an_upload_is_kept_remotely_with_the_type_sniffed_from_its_bytes(user, remote):
    data = png_bytes()
    stored = uploads.store(user, upload("shot.jpg", data, "text/html"), endpoint="openAI")
    assert (stored.storage, stored.mime) == (remote.strategy, "image/png")
    assert remote.keys() == [stored.key] and stored.key.startswith(f"images/{user.pk}/")
    assert remote.content_type(stored.key) == "image/png"  # never the browser's text/html
    assert attachments.read(stored) == data  # what a provider is sent


def test_a_large_upload_goes_up_in_parts(remote):
    data = bytes(range(256)) * (40 * 1024 + 7)  # ~10 MB: past one part and one block
    where = storage.storage(remote.strategy)
    key = where.save("documents/1/large", storage.typed(io.BytesIO(data), "application/zip"))
    assert remote.keys() == [key] and remote.content_type(key) == "application/zip"
    assert remote.parts(key) == 3  # S3's 5 MB parts, Azure's 4 MB blocks
    with where.open(key, "rb") as handle:
        assert handle.read() == data


def test_a_refused_upload_leaves_nothing_in_the_store(user, remote):
    for name, data in (("bomb.png", bomb_png()), ("empty.pdf", b""), ("x.bin", b"MZ" * 300)):
        with pytest.raises(uploads.Refused):
            uploads.store(user, upload(name, data), endpoint="openAI")
    assert remote.keys() == [] and not StoredFile.objects.exists()


def test_a_store_that_refuses_is_a_clear_503_and_leaves_no_row(user, remote, caplog):
    remote.refuse()
    with pytest.raises(uploads.Refused) as refused:
        uploads.store(user, upload("a.png", png_bytes()), endpoint="openAI")
    assert (refused.value.code, refused.value.status) == ("storage_unavailable", 503)
    assert refused.value.message == "The file could not be stored just now: try again later."
    assert not StoredFile.objects.exists()
    assert f"storing an upload on {remote.strategy} failed" in caplog.text  # for the operator


def test_an_upload_whose_row_fails_is_removed_from_the_store(user, remote):
    if connection.vendor != "postgresql":
        require_service("PostgreSQL", "SQLite does not enforce a column's length")
    too_long = "e" * 101  # StoredFile.endpoint holds 100: the row's INSERT fails
    with pytest.raises(DataError):
        uploads.store(user, upload("a.pdf", pdf_bytes()), endpoint=too_long)
    assert remote.keys() == [] and not StoredFile.objects.exists()


def test_delete_and_the_sweep_remove_the_object(user, remote, django_capture_on_commit_callbacks):
    deleted, stale, fresh = (
        uploads.store(user, upload("a.png", png_bytes()), endpoint="openAI") for _ in range(3)
    )
    with django_capture_on_commit_callbacks(execute=True):
        uploads.delete(deleted)
    assert sorted(remote.keys()) == sorted([stale.key, fresh.key])
    day_ago = timezone.now() - timedelta(days=1, minutes=1)
    StoredFile.objects.filter(pk=stale.pk).update(created_at=day_ago)
    with django_capture_on_commit_callbacks(execute=True):
        assert cleanup.sweep(timezone.now()) == 1
    assert remote.keys() == [fresh.key]


def test_files_keep_their_store_when_the_strategy_changes(user, remote, file_config):
    """A file is read from where it was written: switching to local strands nothing."""
    kept = uploads.store(user, upload("a.png", png_bytes()), endpoint="openAI")
    file_config("fileStrategy: local\n")
    storage.storage.cache_clear()
    local = uploads.store(user, upload("b.png", png_bytes(5, 5)), endpoint="openAI")
    assert (kept.storage, local.storage) == (remote.strategy, "local")
    assert attachments.read(kept) == png_bytes() and remote.keys() == [kept.key]
