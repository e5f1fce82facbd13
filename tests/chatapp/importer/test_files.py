"""LibreChat's `files` and the bytes in its uploads directory, attached to the messages that
name them; what is not there is named in the message; nobody gets another user's file."""

from __future__ import annotations

import pytest
from bson import ObjectId

from chatapp.files import attachments, storage
from chatapp.importer.files import locate
from chatapp.importer.run import Options
from chatapp.importer.steps import execute
from chatapp.models import Message, StoredFile
from tests.chatapp.files.conftest import png_bytes
from tests.chatapp.files.test_extraction import pdf_with_text
from tests.chatapp.importer import dumps

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def files_root(settings, tmp_path):
    settings.FILES_ROOT = tmp_path / "parley-files"
    storage.storage.cache_clear()
    yield
    storage.storage.cache_clear()


def file(owner: dict, file_id: str, filepath: str, filename: str, **fields) -> dict:
    """A `files` document as LibreChat's File schema writes it."""
    return {
        "_id": ObjectId(), "user": owner["_id"], "file_id": file_id, "bytes": 10,
        "filename": filename, "filepath": filepath, "object": "file", "type": "image/png",
        "usage": 1, "source": "local", "createdAt": dumps.T0, "updatedAt": dumps.T0,
    } | fields  # fmt: skip


def on_disk(root, filepath: str, data: bytes) -> None:
    path = root / filepath.lstrip("/")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


@pytest.fixture
def deployment(tmp_path):
    """Alice's question names a PDF and an image that are on disk, a file that is not, and
    Bob's file; LibreChat's Docker layout (uploads/, images/)."""
    alice, bob = dumps.user("alice@librechat.test"), dumps.user("bob@librechat.test")
    a, b = str(alice["_id"]), str(bob["_id"])
    report = file(alice, "f-pdf", f"/uploads/{a}/f-pdf__report.pdf", "report.pdf",
                  type="application/pdf")  # fmt: skip
    image = file(alice, "f-png", f"/images/{a}/f-png__cat.webp", "cat.png")
    gone = file(alice, "f-gone", f"/uploads/{a}/f-gone__gone.txt", "gone.txt")
    avatar = file(alice, "f-avatar", f"/images/{a}/avatar.png", "avatar.png", context="avatar")
    sneaky = file(alice, "f-sneaky", "/uploads/../../secret.txt", "secret.txt")
    theirs = file(bob, "f-bob", f"/uploads/{b}/f-bob__bob.md", "bob.md")
    files_dir = tmp_path / "librechat"
    on_disk(files_dir, report["filepath"], pdf_with_text("quarterly revenue").getvalue())
    on_disk(files_dir, image["filepath"], png_bytes())
    on_disk(files_dir, theirs["filepath"], b"# Bob's notes\n")
    (tmp_path / "secret.txt").write_text("outside the files directory")
    conversation = dumps.conversation(alice)
    entries = [{"file_id": f["file_id"], "filepath": f["filepath"], "type": f["type"]}
               for f in (report, image, gone, theirs)]  # fmt: skip
    entries[1] |= {"width": 4, "height": 3}
    question = dumps.message(conversation, None, "Summarise these", files=entries)
    answer = dumps.message(conversation, question["messageId"], "Done.", isCreatedByUser=False)
    dump = dumps.write(tmp_path / "dump", {
        "users": [alice, bob], "conversations": [conversation], "messages": [question, answer],
        "files": [report, image, gone, avatar, sneaky, theirs],
    })  # fmt: skip
    return dump, files_dir, question


def test_files_on_disk_become_the_messages_attachments(deployment):
    dump, files_dir, question = deployment
    report = execute(Options(directory=dump, files_dir=files_dir))
    tally = report.collections["files"]
    assert tally.imported == 3  # the PDF, the image, Bob's notes
    assert tally.skipped["not in the files directory"] == 2  # gone.txt, and ../../secret.txt
    assert tally.skipped["an avatar (the user's own avatar is imported with the user)"] == 1
    message = Message.objects.get(pk=question["messageId"])
    files = attachments.files_of([message.id])[message.id]
    assert [(f.name, f.mime, f.owner.email) for f in files] == [
        ("report.pdf", "application/pdf", "alice@librechat.test"),
        ("cat.png", "image/png", "alice@librechat.test"),
    ]
    assert attachments.read(files[1]) == png_bytes() and files[0].text == "quarterly revenue"
    assert all(f.attached_at is not None for f in files)
    # Bob's file stays Bob's: Alice's message names it instead of attaching it.
    assert message.text == (
        "Summarise these\n\n[File not imported: gone.txt]\n[File not imported: bob.md]"
    )
    assert "quarterly revenue" in message.files_text
    assert StoredFile.objects.get(name="bob.md").owner.email == "bob@librechat.test"
    assert not StoredFile.objects.filter(name="secret.txt").exists()

    again = execute(Options(directory=dump, files_dir=files_dir))  # nothing twice
    assert again.collections["files"].skipped["imported by an earlier run"] == 3
    assert StoredFile.objects.count() == 3


def test_without_a_files_directory_the_names_are_kept(deployment):
    dump, _, question = deployment
    dry = execute(Options(directory=dump, dry_run=True))
    assert not StoredFile.objects.exists() and not Message.objects.exists()
    assert dry.collections["files"].skipped[
        "no files directory given (--files): the name is kept"
    ] == 5  # fmt: skip
    execute(Options(directory=dump))
    message = Message.objects.get(pk=question["messageId"])
    assert message.text.splitlines()[2:] == [
        "[File not imported: report.pdf]",  # the name the user gave it, without the file_id
        "[File not imported: cat.webp]",
        "[File not imported: gone.txt]",
        "[File not imported: bob.md]",
    ]
    assert not StoredFile.objects.exists()


def test_locate_reads_both_layouts_and_never_leaves_the_directory(tmp_path):
    on_disk(tmp_path, "client/public/images/u1/x.png", b"x")
    on_disk(tmp_path, "uploads/u1/f__y.pdf", b"y")
    (tmp_path.parent / "outside.txt").write_text("no")
    assert locate(tmp_path, "/images/u1/x.png") == tmp_path / "client/public/images/u1/x.png"
    assert locate(tmp_path, "/uploads/u1/f__y.pdf?v=2") == tmp_path / "uploads/u1/f__y.pdf"
    assert locate(tmp_path, "https://bucket.s3.amazonaws.com/uploads/u1/f__y.pdf") is not None
    for bad in ("/uploads/../../outside.txt", "/uploads/", "/etc/passwd", "", "/images/u1"):
        assert locate(tmp_path, bad) is None, bad
