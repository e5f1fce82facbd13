"""SESSION_EXPIRY slides; REFRESH_TOKEN_EXPIRY caps a session however active it is."""

import dataclasses
import time

import pytest
from django.urls import reverse

from accounts.sessions import STARTED_KEY, ended

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


# --- ended(): what a signed-in socket is held to -----------------------------


def signed_in(user, ip: str | None = "203.0.113.5"):
    """A fresh session of `user`, and the holder a socket opened with it would have."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import Client

    from accounts.sessions import holder_of

    client = Client()
    client.force_login(user)
    session = SessionStore(client.cookies["sessionid"].value)
    return client, holder_of(session, user, ip)


def test_a_live_session_has_not_ended(user):
    _, holder = signed_in(user)
    assert ended([holder]) == {}


def test_a_session_without_a_signed_in_user_holds_nothing(user):
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.sessions import holder_of

    _, holder = signed_in(user)
    assert holder_of(SessionStore(holder.session_key), AnonymousUser(), None) is None
    assert holder_of(SessionStore(), user, None) is None


def sign_out(client, user) -> None:
    client.post(reverse("account_logout"))


def sign_out_everywhere(client, user) -> None:
    client.post(reverse("account_sign_out_everywhere"))


def expire(client, user) -> None:
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    past = timezone.now() - timedelta(seconds=1)
    Session.objects.filter(pk=client.cookies["sessionid"].value).update(expire_date=past)


def change_password(client, user) -> None:
    user.set_password("another-password-1")
    user.save()


def deactivate(client, user) -> None:
    user.is_active = False
    user.save()


def delete(client, user) -> None:
    user.delete()


def flag_for_enrolment(client, user) -> None:
    user.must_enrol_totp = True  # accounts.enrolment: nothing until two-factor is set up
    user.save()


ENDS = [sign_out, sign_out_everywhere, expire, change_password, deactivate, delete]


@pytest.mark.parametrize("end", [*ENDS, flag_for_enrolment])
def test_each_way_a_session_ends(user, end):
    client, holder = signed_in(user)
    end(client, user)
    assert ended([holder]) == {holder: None}


@pytest.mark.parametrize("end", [*ENDS, flag_for_enrolment])
def test_require_live_raises_for_each_way_a_session_ends(user, end):
    from accounts.sessions import Ended, require_live

    client, holder = signed_in(user)
    end(client, user)
    with pytest.raises(Ended) as over:
        require_live(holder)
    assert over.value.ban is None


def test_require_live_reads_one_row_for_a_live_session(user, django_assert_num_queries):
    from accounts.sessions import require_live

    _, holder = signed_in(user)
    with django_assert_num_queries(1):
        require_live(holder)


def test_a_session_past_the_longest_lifetime_has_ended(auth_env, user):
    auth_env(SESSION_EXPIRY="60000", REFRESH_TOKEN_EXPIRY="120000")
    _, holder = signed_in(user)
    young = dataclasses.replace(holder, started=int(time.time()) - 100)
    old = dataclasses.replace(holder, started=int(time.time()) - 121)
    assert ended([young, old]) == {old: None}


def test_sign_out_everywhere_ends_every_session_of_the_user_only(user, stranger):
    laptop, on_laptop = signed_in(user)
    _, on_phone = signed_in(user)
    _, strangers = signed_in(stranger)
    sign_out_everywhere(laptop, user)
    assert ended([on_laptop, on_phone, strangers]) == {on_laptop: None, on_phone: None}


def test_a_session_holds_only_for_its_own_user(user, stranger):
    _, holder = signed_in(user)
    assert ended([dataclasses.replace(holder, user_id=stranger.pk)]) != {}


def test_a_ban_of_the_user_or_of_the_address_ends_it_with_the_ban(user, stranger):
    from accounts import bans
    from accounts.models import Ban

    _, holder = signed_in(user, ip="203.0.113.5")
    _, strangers = signed_in(stranger, ip="198.51.100.7")
    _, same_address = signed_in(stranger, ip="203.0.113.5")
    ban = bans.ban(user, "203.0.113.5", "test")
    assert isinstance(ban, Ban)
    assert ended([holder, strangers, same_address]) == {holder: ban, same_address: ban}


def test_a_soft_ban_ends_the_session_without_a_ban(settings, user):
    from accounts import bans

    settings.BAN_DURATION_MS = 0
    _, holder = signed_in(user)
    bans.ban(user, None, "test")
    assert ended([holder]) == {holder: None}


def test_require_live_passes_a_live_session_and_raises_the_ban_that_ended_one(user):
    from accounts import bans
    from accounts.sessions import Ended, require_live

    _, holder = signed_in(user, ip="203.0.113.5")
    require_live(holder)
    ban = bans.ban(None, "203.0.113.5", "test")
    with pytest.raises(Ended) as over:
        require_live(holder)
    assert over.value.ban == ban


@pytest.mark.parametrize("ip", ["203.0.113.5", None])
def test_require_live_raises_the_ban_of_the_user_with_or_without_an_address(user, ip):
    from accounts import bans
    from accounts.sessions import Ended, require_live

    _, holder = signed_in(user, ip=ip)
    ban = bans.ban(user, None, "test")
    with pytest.raises(Ended) as over:
        require_live(holder)
    assert over.value.ban == ban


def test_require_live_passes_bans_of_others_and_bans_that_ended(
    user, stranger, django_assert_num_queries
):
    from django.utils import timezone

    from accounts import bans
    from accounts.sessions import require_live

    _, holder = signed_in(user, ip="203.0.113.5")
    bans.ban(stranger, "198.51.100.7", "test")
    lifted = bans.ban(None, "203.0.113.5", "test")  # of the address: the session stays
    bans.lift(lifted)
    lifted.refresh_from_db()
    assert lifted.ends_at <= timezone.now()
    with django_assert_num_queries(1):  # in its one row: no ban in force
        require_live(holder)
