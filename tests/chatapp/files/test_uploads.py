"""One upload, all or nothing: each bad input is refused by name and leaves nothing."""

from __future__ import annotations

import hashlib

import pytest
from django.http import Http404

from chatapp.files import storage, uploads
from chatapp.files.policy import Refused
from chatapp.models import StoredFile
from tests.chatapp import factories
from tests.chatapp.files.conftest import (
    ODS_MIME,
    bomb_png,
    ods_bytes,
    ods_cell,
    pdf_bytes,
    png_bytes,
    upload,
)

pytestmark = pytest.mark.django_db


def stored_objects(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def refusal(user, file, **kwargs) -> Refused:
    with pytest.raises(Refused) as refused:
        uploads.store(user, file, endpoint=kwargs.pop("endpoint", "openAI"), **kwargs)
    return refused.value


def test_an_image_is_stored_with_its_sniffed_type_and_digest(user, files_root, file_config):
    data = png_bytes()
    stored = uploads.store(user, upload("shot.jpg", data, "image/jpeg"), endpoint="openAI")
    assert (stored.mime, stored.kind, stored.size) == ("image/png", "image", len(data))
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.storage == "local" and stored.key.startswith(f"images/{user.pk}/")
    with storage.storage("local").open(stored.key) as stored_bytes:
        assert stored_bytes.read() == data
    (path,) = stored_objects(files_root)
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_a_pdf_is_a_document_and_the_name_is_for_display_only(user, file_config):
    stored = uploads.store(user, upload("../../etc/re\x00port.pdf", pdf_bytes()), endpoint="x")
    assert (stored.mime, stored.kind, stored.name) == ("application/pdf", "document", "report.pdf")
    assert "report" not in stored.key


def test_an_opendocument_spreadsheet_is_stored_with_its_text(user, file_config):
    row = f"<table:table-row>{ods_cell('north')}</table:table-row>"
    sheet = f'<table:table table:name="Q1">{row}</table:table>'
    stored = uploads.store(user, upload("q1.ods", ods_bytes(sheet)), endpoint="openAI")
    assert (stored.mime, stored.kind, stored.text) == (ODS_MIME, "document", "# Q1\nnorth")
    assert stored.text_tokens > 0


@pytest.mark.parametrize(
    ("name", "data", "code", "words"),
    [
        ("empty.png", b"", "empty_file", "empty (0 bytes)"),
        ("bomb.png", bomb_png(), "unreadable", "too many pixels"),
        ("broken.pdf", b"%PDF-1.4\n" + b"x" * 300, "unreadable", "PDF cannot be read"),
        ("noise.bin", bytes(range(256)) * 8, "unknown_type", "cannot be told"),
        ("tool.exe", b"MZ" + b"\x90" * 500, "unsupported_type", "not accepted on openAI"),
    ],
    ids=["empty", "bomb", "broken-pdf", "noise", "exe"],
)
def test_bad_files_are_refused_by_name_and_nothing_is_stored(
    user, files_root, file_config, name, data, code, words
):
    refused = refusal(user, upload(name, data))
    assert refused.code == code and words in refused.message
    assert stored_objects(files_root) == [] and not StoredFile.objects.exists()


def test_a_pdf_renamed_png_is_checked_as_a_pdf(user, file_config):
    file_config('fileConfig:\n  endpoints:\n    default:\n      supportedMimeTypes: ["^image/"]\n')
    refused = refusal(user, upload("photo.png", pdf_bytes(), "image/png"))
    assert refused.code == "unsupported_type"
    assert refused.message == "application/pdf files are not accepted on openAI."


def test_an_oversize_file_names_the_limit(user, files_root, file_config):
    file_config("fileConfig:\n  endpoints:\n    openAI:\n      fileSizeLimit: 0.001\n")
    refused = refusal(user, upload("big.pdf", pdf_bytes(20) + b" " * 2000))
    assert refused.code == "file_too_large" and refused.status == 413
    assert "over this endpoint's limit of 1,048 bytes" in refused.message
    file_config("fileConfig:\n  serverFileSizeLimit: 0.00001\n")
    assert "the server's limit" in refusal(user, upload("a.png", png_bytes())).message
    assert stored_objects(files_root) == []


def test_a_disabled_endpoint_refuses_every_upload(user, file_config):
    file_config("fileConfig:\n  endpoints:\n    openAI:\n      disabled: true\n")
    refused = refusal(user, upload("a.png", png_bytes()))
    assert (refused.code, refused.status) == ("uploads_disabled", 403)
    assert uploads.store(user, upload("a.png", png_bytes()), endpoint="anthropic").kind == "image"


def test_a_failed_row_leaves_no_object(user, files_root, file_config, monkeypatch):
    def fail(**fields):
        raise RuntimeError("database went away")

    monkeypatch.setattr(StoredFile.objects, "create", fail)
    with pytest.raises(RuntimeError):
        uploads.store(user, upload("a.png", png_bytes()), endpoint="openAI")
    assert stored_objects(files_root) == []


def test_an_upload_into_a_strangers_conversation_is_not_found(user, stranger, files_root):
    theirs = factories.conversation(stranger)
    with pytest.raises(Http404):
        uploads.store(
            user, upload("a.png", png_bytes()), endpoint="openAI", conversation_id=theirs.id
        )
    assert stored_objects(files_root) == []
    mine = factories.conversation(user)
    stored = uploads.store(
        user, upload("a.png", png_bytes()), endpoint="openAI", conversation_id=str(mine.id)
    )
    assert stored.conversation == mine


def test_delete_removes_the_row_and_then_the_bytes(
    user, files_root, django_capture_on_commit_callbacks
):
    stored = uploads.store(user, upload("a.png", png_bytes()), endpoint="openAI")
    with django_capture_on_commit_callbacks(execute=True):
        uploads.delete(stored)
    assert stored_objects(files_root) == [] and not StoredFile.objects.exists()
