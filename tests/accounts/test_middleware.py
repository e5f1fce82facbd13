"""A banned user or IP gets a page saying until when; health and static stay open."""

import pytest

from accounts import bans

pytestmark = pytest.mark.django_db


def test_banned_user_gets_a_page_with_the_end(client, settings, user):
    settings.BAN_VIOLATIONS = True
    client.force_login(user)
    bans.ban(user, "203.0.113.5", reason="test")
    user.refresh_from_db()
    client.force_login(user)  # the ban ended the session; signed in again, still refused
    response = client.get("/")
    assert response.status_code == 403
    ban = bans.active_ban(user, None)
    assert f"{ban.ends_at:%Y-%m-%d %H:%M}" in response.text
    assert "banned until" in response.text


def test_banned_ip_is_refused_before_sign_in(client):
    bans.ban(None, "203.0.113.77", reason="test")
    assert client.get("/accounts/login/", REMOTE_ADDR="203.0.113.77").status_code == 403
    assert client.get("/accounts/login/", REMOTE_ADDR="203.0.113.78").status_code == 200


def test_health_is_never_banned(client):
    bans.ban(None, "203.0.113.77", reason="test")
    assert client.get("/health", REMOTE_ADDR="203.0.113.77").status_code != 403


def test_health_is_never_banned_under_a_sub_path(client, settings):
    settings.FORCE_SCRIPT_NAME = "/chat"  # request.path is /chat/health, path_info /health
    bans.ban(None, "203.0.113.77", reason="test")
    assert client.get("/health", REMOTE_ADDR="203.0.113.77").status_code != 403
    assert client.get("/accounts/login/", REMOTE_ADDR="203.0.113.77").status_code == 403
