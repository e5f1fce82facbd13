"""ChatGPT and Chatbot UI exports on the conversation import (LibreChat's own fixtures)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chatapp.models import Conversation, Message

pytestmark = pytest.mark.django_db
EXPORTS = Path("/work/shared/librechat/exports")


def upload(client, user, name_or_data):
    client.force_login(user)
    if isinstance(name_or_data, str):
        with (EXPORTS / name_or_data).open("rb") as file:
            return client.post("/api/conversations/import", {"file": file})
    body = json.dumps(name_or_data)
    return client.post("/api/conversations/import", body, "application/json")


def test_chatgpt_export_imports_every_conversation(client, user):
    response = upload(client, user, "chatgpt-export.json")
    assert response.status_code == 201, response.content
    ids = response.json()["imported"]
    convs = [Conversation.objects.get(pk=pk, owner=user) for pk in ids]
    assert [c.title for c in convs] == ["Conversation 1. Web Search", "Conversation 2"]
    # System nodes are left out; tool nodes are kept as the assistant's (as LibreChat does).
    assert [c.messages.count() for c in convs] == [15, 4]
    assert convs[0].messages.filter(parent=None).count() == 1
    first = convs[0].messages.filter(parent=None).get()
    assert first.role == "user" and first.created_at.year == 2024


def test_chatgpt_branches_are_kept(client, user):
    response = upload(client, user, "chatgpt-tree.json")
    conv = Conversation.objects.get(pk=response.json()["id"])
    assert conv.messages.count() == 11
    forks = [m for m in conv.messages.all() if m.children.count() > 1]
    assert len(forks) == 2
    for message in conv.messages.exclude(parent=None):
        assert message.parent.conversation_id == conv.id


def test_chatgpt_citations_become_links(client, user):
    response = upload(client, user, "chatgpt-citations.json")
    texts = Message.objects.filter(conversation_id=response.json()["id"]).values_list("text")
    answer = next(text for (text,) in texts if text.startswith("Signal Sciences is"))
    assert "([Signal Sciences - Crunchbase Company Profile & Funding]" in answer
    assert "(https://www.crunchbase.com/organization/signal-sciences))" in answer
    assert "【" not in answer


def test_chatbot_ui_export_with_its_settings(client, user):
    response = upload(client, user, "chatbotui-export.json")
    body = response.json()
    convs = [Conversation.objects.get(pk=pk) for pk in body["imported"]]
    assert [(c.model, c.parameters) for c in convs] == [
        ("gpt-4-1106-preview", {"temperature": 1}),
        ("gpt-3.5-turbo", {"temperature": 0.5}),
    ]
    assert convs[0].system_prompt.startswith("You are ChatGPT")
    thread = list(convs[0].messages.order_by("created_at"))
    assert [m.role for m in thread] == ["user", "assistant", "user", "assistant"]
    assert all(m.parent_id == p.id for p, m in zip(thread, thread[1:], strict=False))
    assert body["skipped"] == [
        "1 folders: not carried into Parley",
        "2 prompts: not carried into Parley",
    ]


def test_many_conversations_and_broken_ones_are_reported(client, user):
    node = {"message": {"author": {"role": "user"}, "content": {"content_type": "text",
            "parts": ["hi"]}, "create_time": 1.7e9}, "parent": None}  # fmt: skip
    data = [{"title": f"chat {i}", "mapping": {f"n{i}": node}} for i in range(120)]
    data += [{"title": "empty", "mapping": {}}, "not a conversation"]
    data.append(
        {"title": "loop", "mapping": {"a": node | {"parent": "b"}, "b": node | {"parent": "a"}}}
    )
    body = upload(client, user, data).json()
    assert len(body["imported"]) == 120
    assert body["skipped"][:2] == [
        "“empty”: no messages",
        "conversation #122: not a ChatGPT conversation (no mapping)",
    ]
    assert body["skipped"][2].startswith("“loop”: ")


def test_nothing_importable_is_refused_and_nothing_is_shared(client, user, stranger):
    assert upload(client, user, [{"title": "empty", "mapping": {}}]).status_code == 400
    upload(client, user, "chatgpt-export.json")
    assert not Conversation.objects.filter(owner=stranger).exists()
    client.force_login(stranger)
    some = Conversation.objects.filter(owner=user).first()
    assert client.get(f"/api/conversations/{some.pk}").status_code == 404
