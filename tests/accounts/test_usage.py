"""Usage from the transactions: per day by user, model, endpoint and key; the top users
and models; chart bars; the admin's dashboard with CSV; a user's own usage page, where a
stranger's usage never shows."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts import apikeys, balance, usage
from accounts.models import Transaction
from endpoints.adapters.base import Usage
from endpoints.endpoint import TokenRate

pytestmark = pytest.mark.django_db
RATE = TokenRate(prompt=1.0, completion=2.0, context=8000)


def spend(
    user, model="mock-small", endpoint="Mock", key=None, prompt=10, completion=5, message="m1"
):
    balance.charge(
        user, Usage(prompt, completion), RATE, endpoint=endpoint, model=model,
        message_id=message, api_key_id=key.pk if key else None,
    )  # fmt: skip


@pytest.fixture
def spent(user, stranger):
    key, _ = apikeys.create(user, name="ci")
    spend(user, message="a", key=key)
    spend(user, model="mock-large", message="b", completion=15)
    spend(stranger, model="mock-large", message="c", prompt=100, completion=100)
    balance.add_credits(user, 1000)  # not usage
    old = Transaction.objects.create(user=user, kind="prompt", tokens=-7, credits=-7, model="x")
    Transaction.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    return key


def test_daily_rows_by_each_grouping(spent, user):
    today = usage.Period.last(30)
    by_model = {row.group: row for row in usage.daily(today, "model")}
    assert by_model["mock-small"].requests == 1 and by_model["mock-small"].tokens == 15
    assert by_model["mock-large"].requests == 2 and by_model["mock-large"].tokens == 225
    assert "x" not in by_model  # 40 days ago, outside the period
    assert by_model["mock-small"].cost == (10 * 1 + 5 * 2) / usage.PER_DOLLAR
    by_key = {row.group for row in usage.daily(today, "key")}
    assert by_key == {spent.prefix, "—"}
    assert {row.group for row in usage.daily(today, "user")} == {user.email, "mallory@example.com"}
    mine = usage.daily(today, "model", user)
    assert sum(row.tokens for row in mine) == 15 + 25


def test_top_users_and_models_by_cost(spent, user):
    period = usage.Period.last(7)
    assert [row.group for row in usage.top(period, "user")] == ["mallory@example.com", user.email]
    assert usage.top(period, "model", limit=1)[0].group == "mock-large"


def test_bars_fill_the_box_per_day():
    period = usage.Period(date(2026, 1, 1), date(2026, 1, 4))
    rows = [usage.Row(date(2026, 1, 2), "a", 2, 10, 0), usage.Row(date(2026, 1, 2), "b", 2, 0, 0)]
    drawn = usage.bars(rows, period, "requests", width=400, height=100)
    assert [bar.value for bar in drawn] == [0, 4, 0, 0]
    assert drawn[1].height == 100 and drawn[1].y == 0 and drawn[0].height == 0


def test_a_bad_period_falls_back_to_the_last_30_days():
    assert usage.Period.parse("yesterday", None) == usage.Period.last(30)
    assert usage.Period.parse("2026-03-09", "2026-03-01") == usage.Period(
        date(2026, 3, 1), date(2026, 3, 9)
    )


def test_the_admin_dashboard_and_its_csv(spent, client, django_user_model):
    admin = django_user_model.objects.create_superuser(email="root@example.com", password="pw")
    client.force_login(admin)
    page = client.get("/admin/usage/?by=model")
    assert page.status_code == 200 and 'data-testid="usage-dashboard"' in page.text
    assert "<svg" in page.text and "mallory@example.com" in page.text  # top users
    exported = client.get("/admin/usage/?by=endpoint&format=csv")
    lines = exported.content.decode().splitlines()
    assert (
        exported["Content-Type"] == "text/csv"
        and lines[0] == "day,endpoint,requests,tokens,cost_usd"
    )
    assert lines[1].split(",")[1:4] == ["Mock", "3", "240"]
    assert "Usage dashboard" in client.get("/admin/accounts/transaction/").text


def test_the_dashboard_is_for_admins_only(client, user):
    client.force_login(user)
    assert client.get("/admin/usage/").status_code == 302  # to the admin's sign-in


def test_a_user_sees_only_their_own_usage(spent, client, user, stranger):
    client.force_login(user)
    page = client.get("/accounts/usage/").text
    assert 'data-testid="my-usage"' in page and "mallory@example.com" not in page
    assert "2 requests, 40 tokens" in page
    client.force_login(stranger)
    theirs = client.get("/accounts/usage/?format=csv").content.decode().splitlines()
    assert len(theirs) == 2 and ",mock-large,1,200," in theirs[1]
