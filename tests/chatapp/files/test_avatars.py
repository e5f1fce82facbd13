"""Avatars: checked by avatarSizeLimit and by their bytes, stored square as PNG, one per user."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from chatapp.files import avatars, storage, uploads
from chatapp.files.policy import Refused
from chatapp.models import StoredFile
from tests.chatapp.files.conftest import bomb_png, pdf_bytes, png_bytes, s3_store, upload

pytestmark = pytest.mark.django_db


def stored_objects(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def opened(stored: StoredFile) -> Image.Image:
    with storage.storage(stored.storage).open(stored.key) as stored_bytes:
        image = Image.open(io.BytesIO(stored_bytes.read()))
        image.load()
    return image


def jpeg_with_exif(width: int, height: int) -> bytes:
    image = Image.new("RGB", (width, height), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_an_avatar_is_stored_square_as_png_under_the_avatar_kind(user, file_config):
    stored = avatars.replace(user, upload("me.jpg", jpeg_with_exif(640, 400)))
    assert (stored.kind, stored.mime, stored.name) == ("avatar", "image/png", "me.jpg")
    assert stored.key.startswith(f"avatars/{user.pk}/") and stored.storage == "local"
    image = opened(stored)
    assert (image.format, image.size) == ("PNG", (avatars.SIDE, avatars.SIDE))
    assert not image.getexif()  # re-encoded: the camera's metadata is gone
    assert stored.size == len(storage.storage("local").open(stored.key).read())
    assert avatars.current(user) == stored
    assert avatars.url_for(user) == f"/api/files/{stored.pk}/content"


def test_the_avatar_strategy_comes_from_file_strategy_per_kind(user, file_config):
    file_config("fileStrategy:\n  avatar: local\n  image: local\n")
    assert avatars.replace(user, upload("me.png", png_bytes())).storage == "local"


def test_a_new_avatar_replaces_the_old_one_and_its_bytes(
    user, files_root, file_config, django_capture_on_commit_callbacks
):
    first = avatars.replace(user, upload("a.png", png_bytes(color=(1, 2, 3))))
    with django_capture_on_commit_callbacks(execute=True):
        second = avatars.replace(user, upload("b.png", png_bytes(color=(4, 5, 6))))
    assert list(StoredFile.objects.filter(owner=user)) == [second]
    assert [p.name for p in stored_objects(files_root)] == [second.key.rsplit("/", 1)[-1]]
    assert first.key != second.key


def test_remove_deletes_the_row_and_the_bytes(
    user, files_root, file_config, django_capture_on_commit_callbacks
):
    avatars.replace(user, upload("a.png", png_bytes()))
    with django_capture_on_commit_callbacks(execute=True):
        avatars.remove(user)
    assert avatars.current(user) is None and avatars.url_for(user) == ""
    assert stored_objects(files_root) == []


def test_avatar_size_limit_is_in_librechat_megabytes(user, file_config):
    assert avatars.size_limit() == 2 * 1024 * 1024  # LibreChat's default: 2 MB
    file_config("fileConfig:\n  avatarSizeLimit: 0.0001\n")  # 104 bytes
    assert avatars.size_limit() == 104
    refused = refusal(user, upload("me.png", png_bytes(64, 64)))
    assert (refused.code, refused.status) == ("file_too_large", 413)
    assert "over the avatar limit of 104 bytes" in refused.message


def refusal(user, file) -> Refused:
    with pytest.raises(Refused) as refused:
        avatars.replace(user, file)
    return refused.value


@pytest.mark.parametrize(
    ("name", "data", "code", "words"),
    [
        ("empty.png", b"", "empty_file", "empty"),
        ("report.png", pdf_bytes(), "unsupported_type", "this is application/pdf"),
        ("notes.png", b"just text", "unsupported_type", "PNG, JPEG, GIF or WebP"),
        ("bomb.png", bomb_png(), "unreadable", "too many pixels"),
        ("cut.png", png_bytes()[:40], "unreadable", "cannot be read"),
    ],
    ids=["empty", "pdf-renamed-png", "text", "bomb", "truncated"],
)
def test_bad_avatars_are_refused_by_name_and_nothing_is_stored(
    user, files_root, file_config, name, data, code, words
):
    refused = refusal(user, upload(name, data, "image/png"))
    assert refused.code == code and words in refused.message
    assert stored_objects(files_root) == [] and not StoredFile.objects.exists()


def test_a_refused_avatar_keeps_the_old_one(user, file_config):
    kept = avatars.replace(user, upload("a.png", png_bytes()))
    refusal(user, upload("b.png", pdf_bytes()))
    assert avatars.current(user) == kept


def test_avatars_count_against_the_upload_rate_limit(user, file_config):
    file_config("rateLimits:\n  fileUploads:\n    userMax: 1\n    userWindowInMinutes: 1\n")
    avatars.replace(user, upload("a.png", png_bytes()))
    assert refusal(user, upload("b.png", png_bytes())).code == "upload_limit"


def test_a_stranger_neither_sees_nor_replaces_anothers_avatar(user, stranger, file_config):
    mine = avatars.replace(user, upload("a.png", png_bytes()))
    assert avatars.current(stranger) is None and avatars.url_for(stranger) == ""
    theirs = avatars.replace(stranger, upload("m.png", png_bytes()))
    avatars.remove(stranger)
    assert avatars.current(user) == mine and not StoredFile.objects.filter(pk=theirs.pk).exists()


def test_avatars_follow_their_own_file_strategy_to_s3(
    user, stranger, client, settings, file_config, moto_endpoint, django_capture_on_commit_callbacks
):
    """fileStrategy per kind: avatars on S3 (moto's server), images kept locally; the bytes
    reach only the owner (a short-lived presigned URL), and a replaced avatar leaves S3."""
    store = s3_store(moto_endpoint, settings, file_config)
    file_config("fileStrategy:\n  avatar: s3\n  image: local\n  document: local\n")
    first = avatars.replace(user, upload("a.png", png_bytes()))
    photo = uploads.store(user, upload("cat.png", png_bytes()), endpoint="openAI")
    assert (first.storage, photo.storage) == ("s3", "local")
    assert store.keys() == [first.key] and store.content_type(first.key) == "image/png"
    client.force_login(user)
    served = client.get(avatars.url_for(user))
    assert served.status_code == 302 and "X-Amz-Signature=" in served["Location"]
    client.force_login(stranger)
    assert client.get(avatars.url_for(user)).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        second = avatars.replace(user, upload("b.png", png_bytes(color=(9, 9, 9))))
    assert store.keys() == [second.key]
    with django_capture_on_commit_callbacks(execute=True):
        avatars.remove(user)
    assert store.keys() == []
