"""Usage figures from the balance transactions (no second log): requests, tokens and cost
per day by user, model, endpoint or API key; the top users and models of a period; the
bars of a chart. The admin's usage dashboard and a user's own usage page read these.

A request is one response (its transactions share a `message_id`); tokens are the
tokens spent (every kind); cost is in USD (1,000,000 credits = $1). Credits added and
refills are not usage.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, F, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import Transaction, User

SPENT = ("prompt", "completion", "cache_read", "cache_write")
GROUPS = {  # a dashboard's "by" -> the transaction field it groups on
    "user": "user__email",
    "model": "model",
    "endpoint": "endpoint",
    "key": "api_key__prefix",
}
PER_DOLLAR = Decimal(1_000_000)


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @classmethod
    def last(cls, days: int, today: date | None = None) -> Period:
        today = today or timezone.localdate()
        return cls(today - timedelta(days=days - 1), today)

    @classmethod
    def parse(cls, start: str | None, end: str | None, default_days: int = 30) -> Period:
        """From `YYYY-MM-DD` strings; a bad or missing one falls back to the last 30 days."""
        fallback = cls.last(default_days)
        try:
            first = date.fromisoformat(start) if start else fallback.start
            last = date.fromisoformat(end) if end else fallback.end
        except ValueError:
            return fallback
        return cls(min(first, last), max(first, last))

    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]


@dataclass(frozen=True)
class Row:
    day: date | None
    group: str
    requests: int
    tokens: int
    cost: Decimal  # USD


def spending(period: Period, user: User | None = None) -> QuerySet[Transaction]:
    """The spend transactions of the period (of `user` only, when given)."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(period.start, time.min, tzinfo=tz)
    end = datetime.combine(period.end + timedelta(days=1), time.min, tzinfo=tz)
    rows = Transaction.objects.filter(kind__in=SPENT, created_at__gte=start, created_at__lt=end)
    return rows.filter(user=user) if user is not None else rows


def _totals(rows: QuerySet) -> QuerySet:
    return rows.annotate(
        requests=Count("message_id", distinct=True),
        spent_tokens=Sum(-F("tokens")),
        spent_credits=Sum(-F("credits")),
    )


def _row(values: dict, day: date | None, group_field: str | None) -> Row:
    return Row(
        day=day,
        group=str(values.get(group_field) or "—") if group_field else "",
        requests=values["requests"],
        tokens=values["spent_tokens"] or 0,
        cost=(values["spent_credits"] or Decimal(0)) / PER_DOLLAR,
    )


def daily(period: Period, by: str | None = None, user: User | None = None) -> list[Row]:
    """One row per day (and per group of `by`, a key of GROUPS), oldest first."""
    field = GROUPS.get(by) if by else None
    keys = ["day", field] if field else ["day"]
    rows = spending(period, user).annotate(day=TruncDate("created_at")).values(*keys)
    ordered = _totals(rows).order_by(*keys)
    return [_row(values, values["day"], field) for values in ordered]


def top(period: Period, by: str, limit: int = 10, user: User | None = None) -> list[Row]:
    """The period's largest groups of `by` by cost, then tokens."""
    field = GROUPS[by]
    rows = _totals(spending(period, user).values(field))
    ordered = rows.order_by("-spent_credits", "-spent_tokens", field)[:limit]
    return [_row(values, None, field) for values in ordered]


@dataclass(frozen=True)
class Bar:
    day: date
    value: float
    x: float
    y: float
    width: float
    height: float


def bars(rows: list[Row], period: Period, measure: str, width=600, height=120) -> list[Bar]:
    """One bar per day of `measure` (requests, tokens or cost) summed over the groups, in an
    SVG box of `width` × `height`: the geometry the template draws, no HTML here."""
    per_day: dict[date, float] = defaultdict(float)
    for row in rows:
        if row.day is not None:
            per_day[row.day] += float(getattr(row, measure))
    days = period.days()
    highest = max((per_day[day] for day in days), default=0) or 1
    step = width / len(days)
    drawn = []
    for index, day in enumerate(days):
        tall = height * per_day[day] / highest
        drawn.append(
            Bar(day, per_day[day], index * step + 1, height - tall, max(step - 2, 1), tall)
        )
    return drawn
