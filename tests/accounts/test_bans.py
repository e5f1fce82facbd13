"""Violations and bans: scores, the BAN_INTERVAL crossing, BAN_DURATION, soft bans, lifting."""

import time
from datetime import timedelta

import pytest
from django.contrib.auth import get_user
from django.http import HttpRequest
from django.test import Client
from django.utils import timezone

from accounts import bans
from accounts.models import Ban, Violation

pytestmark = pytest.mark.django_db


@pytest.fixture
def ban_settings(settings):
    settings.BAN_VIOLATIONS = True
    settings.BAN_INTERVAL = 20
    settings.BAN_DURATION_MS = 1000 * 60 * 60 * 2
    settings.VIOLATION_SCORES = {**settings.VIOLATION_SCORES, "message_limit": 1, "non_browser": 20}
    return settings


@pytest.mark.parametrize(
    ("before", "after", "crossed"),
    [(0, 19, False), (19, 20, True), (20, 21, False), (39, 40, True), (5, 45, True), (0, 0, False)],
)
def test_crossing_a_multiple_of_the_interval(before, after, crossed):
    assert bans.crosses_interval(before, after, 20) is crossed


def test_violations_are_recorded_when_bans_are_off(settings, user):
    settings.BAN_VIOLATIONS = False
    for _ in range(25):
        assert bans.record("message_limit", user, "203.0.113.5") is None
    assert Violation.objects.filter(user=user, kind="message_limit").count() == 25
    assert not Ban.objects.exists()


def test_ban_starts_at_the_interval_and_covers_the_user_and_their_ips(ban_settings, user):
    bans.record("message_limit", user, "203.0.113.5")
    for _ in range(18):
        assert bans.record("message_limit", user, "198.51.100.7") is None
    assert bans.active_ban(user, None) is None
    ban = bans.record("message_limit", user, "198.51.100.7")  # the 20th point
    assert ban is not None
    assert abs(ban.ends_at - timezone.now() - timedelta(hours=2)) < timedelta(seconds=5)
    assert set(Ban.objects.values_list("ip", flat=True)) == {"203.0.113.5", "198.51.100.7"}
    assert bans.active_ban(user, None) is not None
    assert bans.active_ban(None, "203.0.113.5") is not None  # the IP, whoever uses it
    assert bans.active_ban(None, "192.0.2.1") is None


def test_next_ban_only_at_the_next_multiple(ban_settings, user):
    for _ in range(20):
        bans.record("message_limit", user, "203.0.113.5")
    assert Ban.objects.count() == 1
    results = [bans.record("message_limit", user, "203.0.113.5") for _ in range(20)]
    assert [r is not None for r in results] == [False] * 19 + [True]


def test_scores_count_per_kind_as_librechat_does(ban_settings, user):
    bans.record("non_browser", user, "203.0.113.5")  # 20 at once: banned
    assert Ban.objects.count() == 1
    for _ in range(19):
        assert bans.record("message_limit", user, "203.0.113.5") is None


def test_anonymous_violations_ban_the_ip(ban_settings):
    ban = bans.record("non_browser", None, "203.0.113.9")
    assert ban.user is None and ban.ip == "203.0.113.9"
    assert bans.active_ban(None, "203.0.113.9") == ban


def test_ban_ends_after_ban_duration(ban_settings, user):
    ban_settings.BAN_DURATION_MS = 400
    ban = bans.record("non_browser", user, "203.0.113.5")
    assert bans.active_ban(user, "203.0.113.5") == ban
    time.sleep(0.45)
    assert bans.active_ban(user, "203.0.113.5") is None


def signed_in(client: Client) -> bool:
    request = HttpRequest()
    request.session = client.session
    return get_user(request).is_authenticated


def test_a_ban_ends_the_users_sessions(ban_settings, user, stranger):
    mine, again, theirs = Client(), Client(), Client()
    for client, who in ((mine, user), (again, user), (theirs, stranger)):
        client.force_login(who)
    bans.record("non_browser", user, "203.0.113.5")
    assert (signed_in(mine), signed_in(again), signed_in(theirs)) == (False, False, True)


def test_soft_ban_ends_sessions_and_records_nothing(ban_settings, user):
    ban_settings.BAN_DURATION_MS = 0
    client = Client()
    client.force_login(user)
    assert bans.record("non_browser", user, "203.0.113.5") is None
    assert not Ban.objects.exists()
    assert not signed_in(client)


def test_lift_ends_every_active_ban_of_the_user(ban_settings, user):
    bans.record("message_limit", user, "203.0.113.5")
    ban = bans.record("non_browser", user, "198.51.100.7")
    assert Ban.objects.count() == 2
    assert bans.lift(ban) == 2
    assert bans.active_ban(user, "203.0.113.5") is None


@pytest.mark.django_db(transaction=True)
def test_a_ban_and_the_end_of_the_sessions_are_seen_together(ban_settings, user, monkeypatch):
    """Another process's session check that sees the session end sees its ban too (the
    watchdog sends the ban frame then), so both are written in one transaction."""
    from django.db import connection

    seen = []
    end_sessions = bans.end_sessions

    def observed(who):
        seen.append((connection.in_atomic_block, Ban.objects.filter(user=who).exists()))
        end_sessions(who)

    monkeypatch.setattr(bans, "end_sessions", observed)
    bans.ban(user, "10.0.0.1", reason="test")
    assert seen == [(True, True)]
