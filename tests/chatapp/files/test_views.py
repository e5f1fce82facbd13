"""The files API over HTTP: upload, list, search, serve, delete; strangers get 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.chatapp import factories
from tests.chatapp.files.conftest import pdf_bytes, png_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(client, user):
    client.force_login(user)
    return client


def post(client, name: str, data: bytes, **fields):
    body = {"file": upload(name, data), "endpoint": "openAI"} | fields
    return client.post(reverse("api:files"), body)


def test_upload_list_search_and_serve(alice, file_config):
    image = post(alice, "cat.png", png_bytes())
    assert image.status_code == 201, image.content
    made = image.json()
    assert (made["name"], made["mime"], made["kind"], made["attached"]) == (
        "cat.png", "image/png", "image", False
    )  # fmt: skip
    post(alice, "Quarterly report.pdf", pdf_bytes())
    listed = alice.get(reverse("api:files")).json()["files"]
    assert [f["name"] for f in listed] == ["Quarterly report.pdf", "cat.png"]
    found = alice.get(reverse("api:files"), {"q": "QUARTER"}).json()["files"]
    assert [f["name"] for f in found] == ["Quarterly report.pdf"]
    served = alice.get(made["url"])
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == png_bytes()
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Disposition"] == 'inline; filename="cat.png"'
    assert "sandbox" in served["Content-Security-Policy"]


def test_a_document_is_served_as_an_attachment(alice, file_config):
    made = post(alice, "notes.md", b"# Notes\n").json()
    served = alice.get(made["url"])
    assert served["Content-Type"].startswith("text/markdown")
    assert served["Content-Disposition"] == 'attachment; filename="notes.md"'


def test_a_refusal_is_json_naming_the_problem(alice, file_config):
    refused = post(alice, "empty.png", b"")
    assert refused.status_code == 400
    error = {"code": "empty_file", "message": "The file is empty (0 bytes)."}
    assert refused.json()["error"] == error
    assert alice.post(reverse("api:files"), {"endpoint": "openAI"}).status_code == 400


def test_delete_then_gone(alice, file_config):
    made = post(alice, "cat.png", png_bytes()).json()
    assert alice.delete(reverse("api:file", args=[made["id"]])).status_code == 204
    assert alice.get(made["url"]).status_code == 404
    assert alice.get(reverse("api:files")).json()["files"] == []


def test_a_stranger_gets_404_for_everything(client, user, stranger, file_config):
    client.force_login(user)
    made = post(client, "cat.png", png_bytes()).json()
    theirs = factories.conversation(stranger)
    into_theirs = post(client, "cat.png", png_bytes(), conversation_id=str(theirs.id))
    assert into_theirs.status_code == 404
    client.force_login(stranger)
    assert client.get(made["url"]).status_code == 404
    assert client.get(reverse("api:file", args=[made["id"]])).status_code == 404
    assert client.delete(reverse("api:file", args=[made["id"]])).status_code == 404
    assert client.get(reverse("api:file", args=["not-a-uuid"])).status_code == 404
    assert client.get(reverse("api:files")).json()["files"] == []


def test_signed_out_is_401(client, file_config):
    assert client.get(reverse("api:files")).status_code == 401


def test_the_conversation_api_shows_a_messages_files_after_reload(alice, user, file_config):
    from chatapp.files import attachments
    from chatapp.models import StoredFile

    made = post(alice, "cat.png", png_bytes()).json()
    asked, _ = factories.exchange(factories.conversation(user), "look", "a cat")
    attachments.attach(asked, [StoredFile.objects.get(pk=made["id"])])
    tree = alice.get(reverse("api:conversation", args=[asked.conversation_id])).json()
    question, answer = tree["messages"]
    assert question["files"] == [
        {key: made[key] for key in ("id", "name", "mime", "size", "kind", "url")}
        | {"as_text": False}
    ]
    assert answer["files"] == []
    assert alice.get(reverse("api:file", args=[made["id"]])).json()["attached"] is True
