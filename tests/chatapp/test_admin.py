"""Admins read conversations in the admin site and cannot change or delete them."""

import pytest

from chatapp.models.conversation import Conversation
from chatapp.models.message import Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser(email="root@example.com", password="pw")
    client.force_login(admin)
    return client


@pytest.fixture
def conversation(user):
    conversation = Conversation.objects.create(owner=user, title="Trip plans", endpoint="openAI")
    Message.objects.create(conversation=conversation, role="user", text="Where to in May?")
    return conversation


def test_admins_list_search_and_read_conversations(admin_client, conversation):
    listing = admin_client.get("/admin/chatapp/conversation/", {"q": "alice"}).content.decode()
    assert "Trip plans" in listing
    page = admin_client.get(f"/admin/chatapp/conversation/{conversation.pk}/change/")
    assert page.status_code == 200 and "Where to in May?" in page.content.decode()


def test_conversations_cannot_be_changed_or_deleted(admin_client, conversation):
    url = f"/admin/chatapp/conversation/{conversation.pk}/change/"
    admin_client.post(url, {"title": "Rewritten"})
    conversation.refresh_from_db()
    assert conversation.title == "Trip plans"
    delete = admin_client.post(f"/admin/chatapp/conversation/{conversation.pk}/delete/")
    assert delete.status_code == 403
    assert Conversation.objects.filter(pk=conversation.pk).exists()


def test_users_cannot_read_conversations_in_the_admin(client, user, conversation):
    client.force_login(user)
    response = client.get(f"/admin/chatapp/conversation/{conversation.pk}/change/")
    assert response.status_code == 302
