"""Temporary chats: `interface.temporaryChat` and `temporaryChatRetention`, the expiry a new
chat gets, the sweep that deletes expired chats, and where a temporary chat never shows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from chatapp import conversations, temporary
from chatapp.models import Conversation, Message
from chatapp.search.backends import searcher
from chatapp.search.query import parse
from endpoints.sections import Interface
from tests.chatapp import factories
from tests.chatapp.conftest import use_config

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_config():
    """Tests here switch librechat.yaml: the next test reads its own."""
    from endpoints import config

    yield
    config.current.cache_clear()


def test_default_policy_allows_temporary_chats_kept_720_hours():
    rules = temporary.policy_from(None)
    assert rules.enabled
    assert rules.retention == timedelta(hours=720)


def test_interface_switch_and_retention():
    off = temporary.policy_from(Interface(temporaryChat=False))
    assert not off.enabled
    kept = temporary.policy_from(Interface(temporaryChatRetention=2))
    assert kept.enabled and kept.retention == timedelta(hours=2)


def test_expiry_is_now_plus_retention(settings, tmp_path):
    use_config(
        settings,
        tmp_path / "librechat.yaml",
        "version: 1.3.14\ninterface:\n  temporaryChatRetention: 5\n",
    )
    now = timezone.now()
    assert temporary.expiry(now) == now + timedelta(hours=5)


def test_expiry_is_refused_when_the_switch_is_off(settings, tmp_path):
    use_config(
        settings,
        tmp_path / "librechat.yaml",
        "version: 1.3.14\ninterface:\n  temporaryChat: false\n",
    )
    with pytest.raises(temporary.Disabled):
        temporary.expiry(timezone.now())


def test_sweep_deletes_only_expired_chats_with_their_messages(user, stranger):
    now = timezone.now()
    expired = factories.conversation(user, expires_at=now - timedelta(seconds=1))
    factories.exchange(expired, "q", "a")
    theirs = factories.conversation(stranger, expires_at=now - timedelta(hours=1))
    live = factories.conversation(user, expires_at=now + timedelta(hours=1))
    kept = factories.conversation(user)
    assert temporary.sweep(now) == 2
    assert set(Conversation.objects.values_list("id", flat=True)) == {live.id, kept.id}
    assert not Message.objects.filter(conversation_id__in=[expired.id, theirs.id]).exists()


def test_the_sidebar_leaves_temporary_chats_out(user):
    kept = factories.conversation(user, title="kept")
    factories.conversation(user, title="temp", expires_at=timezone.now() + timedelta(hours=1))
    page = conversations.list_page(user, archived=False, cursor=None)
    assert page.conversations == [kept]


def test_search_leaves_temporary_chats_out(user):
    kept = factories.conversation(user, title="needle kept")
    factories.exchange(kept, "a needle here", "a")
    temp = factories.conversation(
        user, title="needle temp", expires_at=timezone.now() + timedelta(hours=1)
    )
    factories.exchange(temp, "a needle there", "a")
    hits = searcher().search(user.pk, parse("needle"), 0, 10)
    assert [hit.id for hit in hits] == [str(kept.id)]


def test_the_beat_schedule_runs_the_sweep_task(settings, user):
    from chatapp import tasks
    from chatapp.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["delete-expired-temporary-chats"]
    assert app.tasks[entry["task"]].name == tasks.delete_expired_chats.name
    assert entry["schedule"] == settings.TEMPORARY_CHAT_SWEEP_SECONDS
    factories.conversation(user, expires_at=timezone.now() - timedelta(seconds=1))
    assert tasks.delete_expired_chats() == 1
    assert not Conversation.objects.exists()
