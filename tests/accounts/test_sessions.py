"""SESSION_EXPIRY slides; REFRESH_TOKEN_EXPIRY caps a session however active it is."""

import time

import pytest
from django.urls import reverse

from accounts.sessions import STARTED_KEY

pytestmark = pytest.mark.django_db


def test_idle_expiry_is_refreshed_by_each_request(client, auth_env, user):
    auth_env(SESSION_EXPIRY="60000")
    client.force_login(user)
    client.get(reverse("home"))
    assert client.session.get_expiry_age() == 60
    assert client.cookies["sessionid"]["max-age"] == 60  # sent again with every response


def test_a_session_older_than_the_longest_lifetime_is_signed_out(client, auth_env, user):
    auth_env(SESSION_EXPIRY="60000", REFRESH_TOKEN_EXPIRY="120000")
    client.force_login(user)
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    session[STARTED_KEY] = int(time.time()) - 121
    session.save()
    assert client.get(reverse("home")).status_code == 302


def test_a_young_session_stays(client, auth_env, user):
    auth_env(REFRESH_TOKEN_EXPIRY="120000")
    client.force_login(user)
    session = client.session
    session[STARTED_KEY] = int(time.time()) - 100
    session.save()
    assert client.get(reverse("home")).status_code == 200


def test_an_open_page_keeps_the_session_alive(client, auth_env, user):
    auth_env(SESSION_EXPIRY="60000")
    client.force_login(user)
    assert 'hx-post="/accounts/keep-alive/"' in client.get(reverse("home")).content.decode()
    response = client.post(reverse("account_keep_alive"))
    assert response.status_code == 204
    assert response.cookies["sessionid"]["max-age"] == 60  # the idle clock starts again


def test_keep_alive_tells_a_signed_out_page(client):
    assert client.post(reverse("account_keep_alive")).status_code == 401
