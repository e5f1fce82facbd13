"""Sidebar date groups."""

from datetime import UTC, datetime, timedelta

import pytest

from chatapp.sidebar import grouped
from tests.chatapp import factories

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)


def _at(user, **ago):
    conversation = factories.conversation(user)
    conversation.updated_at = NOW - timedelta(**ago)
    return conversation


def test_groups_by_age_newest_first(user):
    rows = [
        _at(user, hours=1),
        _at(user, hours=2),
        _at(user, days=1),
        _at(user, days=5),
        _at(user, days=20),
        _at(user, days=60),
        _at(user, days=400),
    ]
    groups = grouped(rows, NOW, UTC)
    assert [(g.key, len(g.conversations)) for g in groups] == [
        ("today", 2),
        ("yesterday", 1),
        ("week", 1),
        ("month", 1),
        ("2026-09", 1),
        ("2025-10", 1),
    ]
    assert [g.label for g in groups[:4]] == [
        "Today",
        "Yesterday",
        "Previous 7 days",
        "Previous 30 days",
    ]
    assert groups[4].label == "September 2026"


def test_day_boundaries_follow_the_time_zone(user):
    late = _at(user, hours=14)  # 01:00 UTC today, still yesterday in New York
    from zoneinfo import ZoneInfo

    assert grouped([late], NOW, UTC)[0].key == "today"
    assert grouped([late], NOW, ZoneInfo("America/New_York"))[0].key == "yesterday"
