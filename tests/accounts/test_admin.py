"""The admin site lists, searches, filters and edits users; only admins get in."""

import pytest
from django.urls import reverse

from accounts import bans

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser(email="root@example.com", password="pw")
    client.force_login(admin)
    return client


def test_users_are_listed_with_role_ban_and_search(admin_client, user, stranger):
    bans.ban(stranger, None, reason="test")
    page = admin_client.get("/admin/accounts/user/").content.decode()
    assert "alice@example.com" in page and "mallory@example.com" in page
    assert "UTC" in page  # mallory's ban end
    found = admin_client.get("/admin/accounts/user/", {"q": "alice"}).content.decode()
    assert "alice@example.com" in found and "mallory@example.com" not in found
    admins = admin_client.get("/admin/accounts/user/", {"role__exact": "admin"}).content.decode()
    assert "root@example.com" in admins and "alice@example.com" not in admins


def test_the_user_list_and_page_show_who_must_enrol_in_two_factor(admin_client, user, stranger):
    from accounts.models import User

    User.objects.filter(pk=user.pk).update(must_enrol_totp=True)
    listed = admin_client.get("/admin/accounts/user/", {"must_enrol_totp__exact": "1"}).text
    assert "alice@example.com" in listed and "mallory@example.com" not in listed
    assert "Must set up two-factor authentication" in listed  # the column
    page = admin_client.get(reverse("admin:accounts_user_change", args=[user.pk])).text
    assert "Must set up two-factor authentication" in page
    assert 'name="must_enrol_totp"' not in page  # shown, not edited: enrolling clears it


def test_an_admin_makes_a_user_admin_and_deactivates_another(admin_client, user, stranger):
    url = reverse("admin:accounts_user_change", args=[user.pk])
    form = {
        "email": user.email,
        "name": "Alice",
        "username": "",
        "avatar": "",
        "role": "admin",
        "is_active": "on",
        "email_verified": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
    }
    response = admin_client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    user.refresh_from_db()
    assert (user.role, user.is_staff, user.is_superuser, user.name) == (
        "admin",
        True,
        True,
        "Alice",
    )
    url = reverse("admin:accounts_user_change", args=[stranger.pk])
    admin_client.post(url, {**form, "email": stranger.email, "role": "user", "is_active": ""})
    stranger.refresh_from_db()
    assert (stranger.is_active, stranger.is_staff) == (False, False)


def test_a_user_cannot_open_the_admin_site(client, user):
    client.force_login(user)
    assert client.get("/admin/accounts/user/").status_code == 302
    assert client.get("/admin/login/").status_code == 403


def test_admin_sign_in_goes_through_the_sign_in_page(client):
    response = client.get("/admin/login/", {"next": "/admin/"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
