"""LibreChat's links after an import: /c/<id> and /share/<id> lead to the same chats."""

from __future__ import annotations

import pytest
from bson import ObjectId

from accounts.models import User
from chatapp.importer.run import Options
from chatapp.importer.steps import execute
from chatapp.importer.values import as_uuid
from tests.chatapp.importer import dumps

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(tmp_path):
    ada = dumps.user("ada@librechat.test")
    current = dumps.conversation(ada, title="Current id")
    legacy = dumps.conversation(ada, conversationId="convo-from-2023", title="Legacy id")
    share = {"_id": ObjectId(), "shareId": "V1StGXR8_Z5jdHi6B-myT", "user": str(ada["_id"]),
             "conversationId": current["conversationId"], "messages": []}  # fmt: skip
    messages = [dumps.message(current, None, "hello"), dumps.message(legacy, None, "old")]
    dumps.write(
        tmp_path,
        {"users": [ada], "conversations": [current, legacy], "messages": messages,
         "sharedlinks": [share]},
    )  # fmt: skip
    execute(Options(directory=tmp_path))
    return current


def test_librechat_paths_lead_to_the_imported_chats(client, imported):
    client.force_login(User.objects.get(email="ada@librechat.test"))
    page = client.get(f"/c/{imported['conversationId']}")
    assert page.status_code == 200 and "Current id" in page.content.decode()

    moved = client.get("/c/convo-from-2023")
    assert (moved.status_code, moved["Location"]) == (301, f"/c/{as_uuid('convo-from-2023')}")
    assert "Legacy id" in client.get(moved["Location"]).content.decode()
    assert client.get("/c/new")["Location"] == "/"

    shared = client.get("/share/V1StGXR8_Z5jdHi6B-myT")
    assert shared.status_code == 200 and "hello" in shared.content.decode()


def test_a_stranger_following_the_links_gets_nothing(client, imported, stranger):
    client.force_login(stranger)
    assert client.get(f"/c/{imported['conversationId']}").status_code == 404
    assert client.get("/c/convo-from-2023", follow=True).status_code == 404
