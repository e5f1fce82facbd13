import json
import uuid
from pathlib import Path

import pytest

from chatapp.models import Conversation, Message, SharedLink
from tests.chatapp import factories

pytestmark = pytest.mark.django_db
EXPORTS = Path("/work/shared/librechat/exports")


@pytest.fixture
def client_for(client):
    def signed_in(user):
        client.force_login(user)
        return client

    return signed_in


@pytest.fixture
def conv(user):
    conv = factories.conversation(user, title="Trip")
    asked, answered = factories.exchange(conv, "echo: hello", "hello")
    factories.exchange(conv, "second", "answer two", parent=answered)
    return conv


def test_anonymous_gets_401(client):
    response = client.get("/api/conversations")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_list_is_newest_first_with_a_cursor(user, client_for):
    made = [factories.conversation(user, title=f"c{i}") for i in range(5)]
    for conv in made:  # distinct update times, oldest first
        conv.save()
    client = client_for(user)
    first = client.get("/api/conversations?limit=2").json()
    assert [c["title"] for c in first["conversations"]] == ["c4", "c3"]
    second = client.get(f"/api/conversations?limit=2&cursor={first['next_cursor']}").json()
    assert [c["title"] for c in second["conversations"]] == ["c2", "c1"]
    third = client.get(f"/api/conversations?limit=2&cursor={second['next_cursor']}").json()
    assert [c["title"] for c in third["conversations"]] == ["c0"]
    assert third["next_cursor"] is None


def test_list_filters_archived_and_rejects_a_bad_cursor(user, client_for, conv):
    client = client_for(user)
    factories.conversation(user, title="old", archived=True)
    assert [c["title"] for c in client.get("/api/conversations").json()["conversations"]] == [
        "Trip"
    ]
    archived = client.get("/api/conversations?archived=true").json()["conversations"]
    assert [c["title"] for c in archived] == ["old"]
    assert client.get("/api/conversations?cursor=@@@").status_code == 400


def test_read_returns_the_tree_with_sibling_indexes(user, client_for, conv):
    first_answer = conv.messages.get(text="hello")
    Message.objects.create(
        conversation=conv, parent=first_answer.parent, role="assistant", text="hello again"
    )
    tree = client_for(user).get(f"/api/conversations/{conv.id}").json()
    assert tree["conversation"]["title"] == "Trip"
    by_text = {m["text"]: m for m in tree["messages"]}
    assert by_text["hello"]["sibling_index"] == 0
    assert by_text["hello again"]["sibling_index"] == 1
    assert by_text["hello again"]["sibling_count"] == 2
    assert by_text["echo: hello"]["children"] == [
        by_text["hello"]["id"],
        by_text["hello again"]["id"],
    ]
    assert tree["current_id"] == by_text["hello again"]["id"]


def test_rename_and_archive(user, client_for, conv):
    client = client_for(user)
    url = f"/api/conversations/{conv.id}"
    body = {"title": "  New name ", "archived": True}
    response = client.patch(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 200
    conv.refresh_from_db()
    assert (conv.title, conv.archived) == ("New name", True)
    bad = client.patch(url, json.dumps({"title": ""}), content_type="application/json")
    assert bad.status_code == 400 and "title" in bad.json()["error"]["message"]
    bad = client.patch(url, json.dumps({"owner": 3}), content_type="application/json")
    assert bad.status_code == 400


def test_delete(user, client_for, conv):
    assert client_for(user).delete(f"/api/conversations/{conv.id}").status_code == 204
    assert not Conversation.objects.filter(pk=conv.pk).exists()
    assert not Message.objects.filter(conversation_id=conv.pk).exists()


def test_fork_copies_the_branch_to_a_new_conversation(user, client_for, conv):
    leaf = conv.messages.get(text="hello")
    response = client_for(user).post(
        f"/api/conversations/{conv.id}/fork",
        json.dumps({"message_id": str(leaf.id)}),
        content_type="application/json",
    )
    assert response.status_code == 201
    copy = Conversation.objects.get(pk=response.json()["id"])
    assert [m.text for m in copy.messages.order_by("created_at")] == ["echo: hello", "hello"]
    assert copy.messages.get(text="hello").parent.text == "echo: hello"


def test_share_is_public_read_only_and_revocable(user, client_for, conv, client, settings):
    settings.ALLOW_SHARED_LINKS_PUBLIC = True  # anonymous visitors too (the default: signed in)
    owner = client_for(user)
    created = owner.post(f"/api/conversations/{conv.id}/shares", "{}", "application/json")
    assert created.status_code == 201
    token = created.json()["token"]
    assert owner.get(f"/api/conversations/{conv.id}/shares").json()["shares"][0]["token"] == token
    owner.logout()
    page = client.get(f"/share/{token}")
    assert page.status_code == 200 and b"answer two" in page.content
    snapshot = client.get(f"/share/{token}", HTTP_ACCEPT="application/json").json()
    assert [m["text"] for m in snapshot["messages"]] == [
        "echo: hello", "hello", "second", "answer two"
    ]  # fmt: skip
    owner.force_login(user)
    assert owner.delete(f"/api/shares/{token}").status_code == 204
    assert client.get(f"/share/{token}").status_code == 404


def test_shared_page_escapes_text(user, client, settings):
    settings.ALLOW_SHARED_LINKS_PUBLIC = True
    conv = factories.conversation(user)
    factories.exchange(conv, "<script>alert(1)</script>", "ok")
    from chatapp.sharing import share

    link = share(conv, None)
    page = client.get(f"/share/{link.token}").content
    assert b"<script>alert(1)" not in page and b"&lt;script&gt;" in page


def test_export_json_round_trips_through_import(user, client_for, conv):
    client = client_for(user)
    exported = client.get(f"/api/conversations/{conv.id}/export?format=json")
    assert exported.status_code == 200
    assert "attachment" in exported["Content-Disposition"]
    imported = client.post("/api/conversations/import", exported.content, "application/json")
    assert imported.status_code == 201
    copy = Conversation.objects.get(pk=imported.json()["id"])
    assert copy.title == "Trip" and copy.pk != conv.pk
    assert sorted(m.text for m in copy.messages.all()) == sorted(
        m.text for m in conv.messages.all()
    )
    assert copy.messages.get(text="answer two").parent.text == "second"


def test_export_markdown_shows_the_current_branch(user, client_for, conv):
    body = client_for(user).get(f"/api/conversations/{conv.id}/export?format=md").content.decode()
    assert body.startswith("# Trip")
    assert body.index("echo: hello") < body.index("answer two")


def test_export_text_shows_the_current_branch_to_its_owner_only(user, stranger, client_for, conv):
    response = client_for(user).get(f"/api/conversations/{conv.id}/export?format=txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"].endswith(f'conversation-{conv.id}.txt"')
    body = response.content.decode()
    assert body.startswith("Trip\n") and body.index("echo: hello") < body.index("answer two")
    refused = client_for(stranger).get(f"/api/conversations/{conv.id}/export?format=txt")
    assert refused.status_code == 404


def test_export_rejects_an_unknown_format(user, client_for, conv):
    response = client_for(user).get(f"/api/conversations/{conv.id}/export?format=pdf")
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("name", "count", "roots"),
    [
        ("librechat-export.json", 6, 1),
        ("librechat-linear.json", 2, 1),
        ("librechat-opts-nonr-branches.json", 5, 2),
        ("librechat-tree.json", 9, 1),
    ],
)
def test_import_librechat_exports(user, client_for, name, count, roots):
    client = client_for(user)
    with (EXPORTS / name).open("rb") as upload:
        response = client.post("/api/conversations/import", {"file": upload})
    assert response.status_code == 201, response.content
    conv = Conversation.objects.get(pk=response.json()["id"], owner=user)
    original = json.loads((EXPORTS / name).read_text())
    assert conv.title == original["title"]
    assert conv.messages.count() == count
    assert conv.messages.filter(parent=None).count() == roots
    for message in conv.messages.exclude(parent=None):
        assert message.parent.conversation_id == conv.id


def test_import_keeps_librechat_system_prompt_and_model(user, client_for):
    client = client_for(user)
    with (EXPORTS / "librechat-tree.json").open("rb") as upload:
        conv_id = client.post("/api/conversations/import", {"file": upload}).json()["id"]
    conv = Conversation.objects.get(pk=conv_id)
    assert conv.system_prompt == "You are an expert software engineer."
    assert conv.model == "gpt-4-turbo"
    assert conv.messages.filter(role="user").exists()


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"hello": 1}',
        b'{"format": "parley", "conversation": {}, "messages": []}',
    ],
)
def test_import_rejects_bad_files_clearly(user, client_for, body):
    response = client_for(user).post("/api/conversations/import", body, "application/json")
    assert response.status_code == 400
    assert response.json()["error"]["message"]
    assert not Conversation.objects.filter(owner=user).exists()


def test_stranger_gets_404_everywhere(user, stranger, client_for, conv):
    token = SharedLink.objects.create(conversation=conv).token
    message = conv.messages.first()
    client = client_for(stranger)
    base = f"/api/conversations/{conv.id}"
    body = json.dumps({"message_id": str(message.id), "title": "x"})
    assert client.get(base).status_code == 404
    assert client.patch(base, body, content_type="application/json").status_code == 404
    assert client.delete(base).status_code == 404
    assert client.post(f"{base}/fork", body, content_type="application/json").status_code == 404
    assert client.post(f"{base}/shares", body, content_type="application/json").status_code == 404
    assert client.get(f"{base}/shares").status_code == 404
    assert client.get(f"{base}/export").status_code == 404
    assert client.delete(f"/api/shares/{token}").status_code == 404
    assert client.get(f"/api/conversations/{uuid.uuid4()}").status_code == 404
    assert client.get("/api/conversations").json()["conversations"] == []
    assert Conversation.objects.filter(pk=conv.pk, title="Trip").exists()


def test_writes_need_the_csrf_token(user, conv):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.delete(f"/api/conversations/{conv.id}")
    assert response.status_code == 403
    assert Conversation.objects.filter(pk=conv.pk).exists()


def _cursor(raw: str) -> str:
    import base64

    return base64.urlsafe_b64encode(raw.encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        _cursor("9999-12-31T23:59:59-05:00|" + str(uuid.UUID(int=1))),
        _cursor("0001-01-01T00:00:00+05:00|" + str(uuid.UUID(int=1))),
        _cursor("2026-01-01T00:00:00|" + str(uuid.UUID(int=1))),  # naive
        _cursor("2026-01-01T00:00:00+00:00|not-a-uuid"),
        _cursor("2026-01-01T00:00:00+00:00|a|b"),
        "%00",
        "\u00e9\u00e9",
    ],
)
def test_a_bad_cursor_is_a_400_that_names_it(user, client_for, conv, cursor):
    response = client_for(user).get("/api/conversations", {"cursor": cursor})
    assert response.status_code == 400
    assert "cursor" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ("[" * 100_000 + "]" * 100_000, "nests deeper than"),
        ('{"title": ' + '{"a": ' * 40 + "1" + "}" * 41, "nested deeper than"),
        ('{"title": "a\\u0000b"}', "title: contains a NUL character"),
        ('{"title": "\\ud800"}', "title: contains an unpaired surrogate"),
        ('{"archived": NaN}', "NaN"),
        ('{"title": 1' + "0" * 30 + "}", "title: the integer is out of range"),
        ('["title"]', "a JSON object"),
        ("\ufeff{}", "not valid JSON"),
    ],
)
def test_crafted_bodies_are_a_400_that_names_the_problem(user, client_for, conv, body, named):
    client = client_for(user)
    response = client.patch(f"/api/conversations/{conv.id}", body, "application/json")
    assert response.status_code == 400
    assert named in response.json()["error"]["message"]
    conv.refresh_from_db()
    assert conv.title == "Trip"


def test_fork_keeps_each_messages_files(user, client_for, conv, settings, tmp_path):
    from chatapp.files import attachments, storage, uploads
    from tests.chatapp.files.conftest import upload

    settings.FILES_ROOT = tmp_path / "files"
    storage.storage.cache_clear()
    question = conv.messages.filter(role="user").order_by("created_at").first()
    notes = uploads.store(user, upload("notes.md", b"# Plan\n"), endpoint="openAI")
    attachments.attach(question, [notes])
    last = conv.messages.order_by("created_at").last()
    client = client_for(user)
    body = json.dumps({"message_id": str(last.id)})
    copy = client.post(f"/api/conversations/{conv.id}/fork", body, content_type="application/json")
    tree = client.get(f"/api/conversations/{copy.json()['id']}").json()
    files = {m["text"]: [f["name"] for f in m["files"]] for m in tree["messages"]}
    assert files[question.text] == ["notes.md"]
    storage.storage.cache_clear()
