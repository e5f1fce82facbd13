"""Bookmarks: names and descriptions within their limits, positions, counts, the tags of a
conversation, the sidebar filter, the interface switch, and strangers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from chatapp import bookmarks, conversations
from chatapp.conversations import BadRequest
from chatapp.models import ConversationTag
from tests.chatapp import factories
from tests.chatapp.conftest import use_config

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_config():
    """Tests here switch librechat.yaml: the next test reads its own."""
    from endpoints import config

    yield
    config.current.cache_clear()


def test_a_name_of_ten_thousand_characters_is_a_clear_error(user):
    with pytest.raises(BadRequest, match="at most 100 characters"):
        bookmarks.save(user, "x" * 10_000)
    with pytest.raises(BadRequest, match="description has at most"):
        bookmarks.save(user, "ok", "d" * 10_000)
    assert not ConversationTag.objects.exists()


def test_a_duplicate_name_is_an_error(user):
    bookmarks.save(user, "work")
    with pytest.raises(BadRequest, match="already have a bookmark"):
        bookmarks.save(user, " work ")


def test_new_tags_go_last_and_move(user):
    a, b, c = (bookmarks.save(user, name) for name in "abc")
    assert [t.position for t in (a, b, c)] == [0, 1, 2]
    bookmarks.move(user, c, 0)
    assert [t.name for t in ConversationTag.objects.filter(owner=user)] == ["c", "a", "b"]
    # Counting groups the rows, and Django drops Meta.ordering from a grouped query: the
    # sidebar's list must ask for its order (the database's was any order it liked).
    assert bookmarks.counted(user).ordered
    assert [t.name for t in bookmarks.counted(user)] == ["c", "a", "b"]


def test_tags_of_a_conversation_counts_and_the_sidebar_filter(user):
    one, two = factories.conversation(user, title="one"), factories.conversation(user, title="two")
    bookmarks.set_tags(user, one, ["work", "urgent"])
    bookmarks.set_tags(user, two, ["work"])
    counts = {t.name: t.count for t in bookmarks.counted(user)}
    assert counts == {"work": 2, "urgent": 1}
    urgent = ConversationTag.objects.get(name="urgent")
    page = conversations.list_page(user, archived=False, cursor=None, tag=urgent)
    assert page.conversations == [one]
    bookmarks.set_tags(user, one, [])
    assert {t.name: t.count for t in bookmarks.counted(user)} == {"work": 1, "urgent": 0}


def test_a_temporary_chat_is_never_bookmarked(user):
    temp = factories.conversation(user, expires_at=timezone.now() + timedelta(hours=1))
    with pytest.raises(BadRequest, match="temporary"):
        bookmarks.set_tags(user, temp, ["work"])


def test_the_interface_switch_turns_bookmarks_off(client, user, settings, tmp_path):
    use_config(settings, tmp_path / "l.yaml", "version: 1.3.14\ninterface: {bookmarks: false}\n")
    with pytest.raises(BadRequest, match="turned off"):
        bookmarks.save(user, "work")
    factories.conversation(user, title="shown")
    client.force_login(user)
    page = client.get("/").content.decode()
    assert "shown" in page and 'data-testid="bookmark"' not in page
    assert 'data-testid="bookmark-filter"' not in page


def test_views_create_tag_filter_and_refuse_a_stranger(client, user, stranger):
    conv = factories.conversation(user, title="tagged")
    factories.conversation(user, title="plain")
    client.force_login(user)
    refused = client.post("/bookmarks", {"name": "x" * 10_000})
    assert refused.status_code == 400 and "at most 100" in refused.content.decode()
    assert client.post("/bookmarks", {"name": "work", "description": "d"}).status_code == 200
    tag = ConversationTag.objects.get(owner=user)
    dialog = client.get(f"/c/{conv.id}/tags").content.decode()
    assert 'value="work"' in dialog and 'data-testid="bookmark-new"' in dialog
    saved = client.post(f"/c/{conv.id}/tags", {"tags": ["work", ""]}).content.decode()
    assert "work (1)" in saved
    assert 'data-testid="bookmark-filter"' in client.get("/").content.decode()
    listing = client.get(f"/conversations?tag={tag.id}").content.decode()
    assert "tagged" in listing and "plain" not in listing
    client.force_login(stranger)
    assert client.get(f"/c/{conv.id}/tags").status_code == 404
    assert client.post(f"/c/{conv.id}/tags", {"tags": ["mine"]}).status_code == 404
    assert client.get(f"/conversations?tag={tag.id}").status_code == 404
    assert client.post(f"/bookmarks/{tag.id}/delete").status_code == 404
    assert ConversationTag.objects.filter(owner=stranger).count() == 0
