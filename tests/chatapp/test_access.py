import uuid

import pytest
from django.http import Http404

from chatapp import access
from chatapp.models import ConversationTag, Preset
from tests.chatapp import factories

pytestmark = pytest.mark.django_db


def test_owner_gets_their_conversation_and_message(user):
    conv = factories.conversation(user)
    asked, _ = factories.exchange(conv, "q", "a")
    assert access.get_conversation_for(user, conv.id) == conv
    assert access.get_message_for(user, conv, str(asked.id)) == asked


@pytest.mark.parametrize("bad_id", [uuid.uuid4(), "not-a-uuid", ""])
def test_unknown_ids_are_404(user, bad_id):
    with pytest.raises(Http404):
        access.get_conversation_for(user, bad_id)


def test_stranger_gets_404_for_every_kind_of_row(user, stranger):
    conv = factories.conversation(user)
    asked, _ = factories.exchange(conv, "q", "a")
    preset = Preset.objects.create(owner=user, name="p", endpoint="openAI", model="gpt-4o")
    with pytest.raises(Http404):
        access.get_conversation_for(stranger, conv.id)
    with pytest.raises(Http404):
        access.get_message_for(stranger, conv, asked.id)
    with pytest.raises(Http404):
        access.get_preset_for(stranger, preset.id)
    tag = ConversationTag.objects.create(owner=user, name="work")
    with pytest.raises(Http404):
        access.get_tag_for(stranger, tag.id)
    assert access.get_tag_for(user, tag.id) == tag
    assert not access.conversations_for(stranger).exists()
    assert not access.tags_for(stranger).exists()


def test_a_message_of_another_conversation_is_404(user):
    mine, other = factories.conversation(user), factories.conversation(user)
    asked, _ = factories.exchange(other, "q", "a")
    with pytest.raises(Http404):
        access.get_message_for(user, mine, asked.id)


def test_anonymous_sees_nothing(user):
    from django.contrib.auth.models import AnonymousUser

    factories.conversation(user)
    assert not access.conversations_for(AnonymousUser()).exists()
