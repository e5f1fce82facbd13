"""Personal API keys: made, shown once, stored hashed, checked, revoked; the account page,
the admin and `create_api_key`; a stranger can neither see nor revoke another's key."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from accounts import apikeys
from accounts.models import ApiKey

pytestmark = pytest.mark.django_db


def test_a_key_is_stored_as_its_digest_and_shown_once(user):
    key, text = apikeys.create(user, name="laptop", models=["Mock/mock-small", " "])
    assert text.startswith(apikeys.PREFIX) and len(text) > 40
    assert key.digest == apikeys.digest(text) and text not in str(ApiKey.objects.values())
    assert key.prefix == text[: apikeys.SHOWN] and key.allowed_models == ["Mock/mock-small"]
    assert apikeys.authenticate(text, "203.0.113.5") == key


def test_unknown_revoked_and_expired_keys_are_refused(user):
    with pytest.raises(apikeys.KeyRefused, match="Incorrect API key"):
        apikeys.authenticate("sk-parley-nothing-like-it", None)
    with pytest.raises(apikeys.KeyRefused, match="didn't provide"):
        apikeys.authenticate("", None)
    key, text = apikeys.create(user)
    apikeys.revoke(user, key.pk)
    with pytest.raises(apikeys.KeyRefused, match="Incorrect API key"):
        apikeys.authenticate(text, None)
    old, old_text = apikeys.create(user, expires_in_days=1)
    ApiKey.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(apikeys.KeyRefused, match="expired"):
        apikeys.authenticate(old_text, None)


def test_an_inactive_users_key_is_refused(user):
    _, text = apikeys.create(user)
    user.is_active = False
    user.save()
    with pytest.raises(apikeys.KeyRefused):
        apikeys.authenticate(text, None)


def test_the_ip_list_takes_addresses_and_networks(user):
    _, text = apikeys.create(user, ips=["198.51.100.7", "2001:db8::/32"])
    assert apikeys.authenticate(text, "198.51.100.7")
    assert apikeys.authenticate(text, "2001:db8::1")
    for elsewhere in ("198.51.100.8", None, "not an ip"):
        with pytest.raises(apikeys.KeyRefused, match="may not be used from"):
            apikeys.authenticate(text, elsewhere)
    with pytest.raises(ValueError, match="not an IP"):
        apikeys.create(user, ips=["10.0.0.300"])


def test_the_model_list_takes_full_ids_and_bare_names(user):
    key, _ = apikeys.create(user, models=["Mock/mock-small", "mock-large"])
    assert apikeys.allows_model(key, "Mock", "mock-small")
    assert apikeys.allows_model(key, "Other", "mock-large")
    assert not apikeys.allows_model(key, "Other", "mock-small")
    anything, _ = apikeys.create(user)
    assert apikeys.allows_model(anything, "Any", "model")


def test_last_used_is_recorded_at_most_once_a_minute(user):
    key, text = apikeys.create(user)
    first = apikeys.authenticate(text, None).last_used_at
    assert first is not None
    assert apikeys.authenticate(text, None).last_used_at == first


def test_a_stranger_cannot_revoke_or_list_anothers_key(user, stranger):
    key, _ = apikeys.create(user)
    with pytest.raises(Http404):
        apikeys.revoke(stranger, key.pk)
    with pytest.raises(Http404):
        apikeys.revoke(stranger, "not-a-number")
    assert not apikeys.keys_for(stranger).exists()
    assert ApiKey.objects.get(pk=key.pk).revoked_at is None


def test_the_account_page_makes_shows_once_and_revokes(client, user):
    client.force_login(user)
    made = client.post(
        reverse("account_api_keys"),
        {"name": "ci", "expires_in_days": "30", "models": "Mock/mock-small", "ips": ""},
    )
    key = ApiKey.objects.get(user=user)
    shown = made.content.decode()
    assert made.status_code == 200 and 'data-testid="new-api-key"' in shown
    assert key.prefix in shown and key.name == "ci" and key.expires_at is not None
    again = client.get(reverse("account_api_keys")).content.decode()
    assert key.prefix in again and 'data-testid="new-api-key"' not in again
    revoked = client.post(reverse("account_revoke_api_key", args=[key.pk]))
    assert revoked.status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_the_account_page_refuses_a_bad_network(client, user):
    client.force_login(user)
    page = client.post(reverse("account_api_keys"), {"ips": "300.1.1.1"})
    assert "not an IP address" in page.content.decode() and not ApiKey.objects.exists()


def test_a_stranger_gets_404_on_the_account_page(client, user, stranger):
    key, _ = apikeys.create(user, name="secret-name")
    client.force_login(stranger)
    assert "secret-name" not in client.get(reverse("account_api_keys")).content.decode()
    assert client.post(reverse("account_revoke_api_key", args=[key.pk])).status_code == 404
    assert ApiKey.objects.get(pk=key.pk).revoked_at is None


def test_the_admin_lists_and_revokes_keys(client, user, django_user_model):
    admin = django_user_model.objects.create_superuser(email="root@example.com", password="pw")
    client.force_login(admin)
    key, _ = apikeys.create(user, name="build")
    listed = client.get("/admin/accounts/apikey/")
    assert listed.status_code == 200 and key.prefix in listed.text and "alice@" in listed.text
    done = client.post(
        "/admin/accounts/apikey/", {"action": "revoke", "_selected_action": [key.pk]}, follow=True
    )
    assert "Revoked 1 API key(s)." in done.text
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_create_api_key_prints_a_working_key(user):
    out = StringIO()
    call_command(
        "create_api_key", "ALICE@example.com", "--name", "boot", "--expires", "7",
        "--models", "Mock/mock-small,mock-large", stdout=out,
    )  # fmt: skip
    text = out.getvalue().strip()
    key = apikeys.authenticate(text, None)
    assert key.user == user and key.name == "boot"
    assert key.allowed_models == ["Mock/mock-small", "mock-large"]
    assert timedelta(days=6) < key.expires_at - timezone.now() <= timedelta(days=7)


def test_create_api_key_refuses_an_unknown_user_and_bad_input(user):
    with pytest.raises(CommandError, match="No user"):
        call_command("create_api_key", "nobody@example.com")
    with pytest.raises(CommandError, match="at least 1 day"):
        call_command("create_api_key", user.email, "--expires", "0")
    with pytest.raises(CommandError, match="not an IP"):
        call_command("create_api_key", user.email, "--ips", "nowhere")
