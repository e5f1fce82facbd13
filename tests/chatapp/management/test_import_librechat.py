"""`manage.py import_librechat`: the closing report, --dry-run, and a directory that is no dump."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from chatapp.models import Message
from tests.chatapp.importer import dumps

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("import_librechat", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_report_per_collection_and_dry_run(tmp_path):
    ada = dumps.user("ada@librechat.test")
    conv = dumps.conversation(ada)
    broken = dumps.message(conv, None, "x", createdAt=[1])
    dumps.write(
        tmp_path,
        {
            "users": [ada],
            "conversations": [conv],
            "messages": [dumps.message(conv, None, "hi"), broken],
            "promptgroups": [{"_id": 1, "name": "an int id"}],
            "files": [{"_id": 1, "filename": "a file without its file_id"}],
            "agents": [{"_id": 1, "name": "agents are not in Parley yet"}],
        },
    )

    dry = run(str(tmp_path), "--dry-run")
    assert not User.objects.exists()
    assert "messages: 1 imported, 1 skipped" in dry and "dry run: nothing was written" in dry

    out = run(str(tmp_path), "--batch-size", "1")
    assert out.splitlines()[:4] == [
        "users: 1 imported, 0 skipped",
        "files: 0 imported, 1 skipped",
        "  1 × unreadable field file_id (e.g. _id 1: missing)",
        "conversations: 1 imported, 0 skipped",
    ]
    assert f"1 × unreadable field createdAt (e.g. _id {broken['_id']}: not a date (list))" in out
    assert Message.objects.get().text == "hi"
    assert "promptgroups: 0 imported, 1 skipped" in out
    assert "note: agents: not imported (Parley has no place for it yet)" in out
    assert "note: promptgroups" not in out


def test_a_directory_without_a_dump_is_refused(tmp_path):
    with pytest.raises(CommandError, match="no single database dump"):
        run(str(tmp_path))
    with pytest.raises(CommandError, match="--files: .* is not a directory"):
        run(str(tmp_path), "--files", str(tmp_path / "nowhere"))


@pytest.mark.modes
def test_imported_messages_are_searchable_by_their_owner_only(tmp_path, stranger):
    from chatapp.search import service

    ada = dumps.user("ada@librechat.test")
    conv = dumps.conversation(ada, title="Volcanoes")
    dumps.write(
        tmp_path,
        {
            "users": [ada],
            "conversations": [conv],
            "messages": [dumps.message(conv, None, "tell me about basalt")],
        },
    )
    run(str(tmp_path))
    ada_user = User.objects.get(email="ada@librechat.test")
    hits = service.search(ada_user, "basalt").results
    assert [hit.id for hit in hits] == [conv["conversationId"]]
    assert service.search(stranger, "basalt").results == []
    again = run(str(tmp_path))
    assert "Indexing" not in again  # nothing new, nothing to index
