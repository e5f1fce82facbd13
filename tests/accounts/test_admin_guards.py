"""The admin site: bans listed and lifted, balances topped up through transactions."""

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from accounts import bans
from accounts.models import Balance, Ban, Transaction

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser(email="root@example.com", password="pw")
    client.force_login(admin)
    return client


def test_admin_lists_and_lifts_bans(admin_client, user):
    ban = bans.ban(user, "203.0.113.5", reason="message_limit violations reached 20")
    page = admin_client.get("/admin/accounts/ban/?state=active")
    assert page.status_code == 200 and "alice@example.com" in page.text
    response = admin_client.post(
        "/admin/accounts/ban/", {"action": "lift_bans", "_selected_action": [ban.pk]}, follow=True
    )
    assert "Lifted 1 ban(s)." in response.text
    assert bans.active_ban(user, "203.0.113.5") is None
    assert Ban.objects.count() == 1  # kept as history


def test_admin_tops_up_a_balance_with_a_transaction(admin_client, user, settings):
    settings.START_BALANCE = 100
    response = admin_client.post("/admin/accounts/balance/add/", {"user": user.pk, "add": "900"})
    assert response.status_code == 302
    row = Balance.objects.get(user=user)
    assert row.credits == 1000
    response = admin_client.post(f"/admin/accounts/balance/{row.pk}/change/", {"add": "-250.5"})
    assert response.status_code == 302
    assert Balance.objects.get(user=user).credits == Decimal("749.5")
    assert list(Transaction.objects.order_by("id").values_list("credits", flat=True)) == [
        Decimal(900),
        Decimal("-250.5"),
    ]
    assert admin_client.get("/admin/accounts/transaction/").status_code == 200
    assert admin_client.get("/admin/accounts/violation/").status_code == 200


def test_add_balance_command(user, settings, capsys):
    settings.START_BALANCE = 20000
    call_command("add_balance", "ALICE@example.com", "5000")
    assert "alice@example.com: 25000 credits" in capsys.readouterr().out
    with pytest.raises(CommandError, match="No user"):
        call_command("add_balance", "nobody@example.com", "5")
    with pytest.raises(CommandError, match="CREDITS must be a number"):
        call_command("add_balance", "alice@example.com", "lots")
