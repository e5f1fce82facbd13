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


@pytest.mark.django_db(transaction=True)
async def test_served_asynchronously_the_check_runs_on_the_database_threads(
    async_client, monkeypatch
):
    """Under daphne the check runs on chatapp.conf.dbthreads, a few threads with a connection
    each, not on the thread Django starts for each request (a connection per request held
    to its end: a burst of /v1 streams ran PostgreSQL out of connections)."""
    import threading

    from asgiref.sync import sync_to_async

    checked_on = []
    active_ban = bans.active_ban

    def spy(user, ip):
        checked_on.append(threading.current_thread().name)
        return active_ban(user, ip)

    monkeypatch.setattr(bans, "active_ban", spy)
    ban = await sync_to_async(bans.ban)(None, "127.0.0.1", reason="test")  # the client's IP
    refused = await async_client.get("/accounts/login/")
    assert refused.status_code == 403 and "banned until" in refused.text
    assert (await async_client.get("/health")).status_code != 403
    await sync_to_async(bans.lift)(ban)
    assert (await async_client.get("/accounts/login/")).status_code == 200
    assert len(checked_on) == 2 and all(name.startswith("parley-db") for name in checked_on)
