"""The sidebar's date groups: Today, Yesterday, Previous 7 days, Previous 30 days, then months."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo

from django.utils import formats
from django.utils.translation import gettext as _

from chatapp.models import Conversation


@dataclass
class Group:
    key: str  # stable across pages, so a page continuing a group does not repeat its heading
    label: str
    conversations: list[Conversation] = field(default_factory=list)


def group_of(when: datetime, today: date, zone: tzinfo) -> tuple[str, str]:
    """(key, label) of the group a conversation updated at `when` belongs to."""
    day = when.astimezone(zone).date()
    age = (today - day).days
    if age <= 0:
        return "today", _("Today")
    if age == 1:
        return "yesterday", _("Yesterday")
    if age <= 7:
        return "week", _("Previous 7 days")
    if age <= 30:
        return "month", _("Previous 30 days")
    return day.strftime("%Y-%m"), formats.date_format(day, "YEAR_MONTH_FORMAT")


def grouped(conversations: list[Conversation], now: datetime, zone: tzinfo) -> list[Group]:
    """Consecutive conversations (newest first) gathered under their group headings."""
    today = now.astimezone(zone).date()
    groups: list[Group] = []
    for conversation in conversations:
        key, label = group_of(conversation.updated_at, today, zone)
        if not groups or groups[-1].key != key:
            groups.append(Group(key, label))
        groups[-1].conversations.append(conversation)
    return groups
