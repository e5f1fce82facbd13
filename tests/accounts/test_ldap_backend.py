"""Sign-in through the real sign-in form against a real slapd on loopback."""

import pytest
from django.urls import reverse

from accounts.linking import refusal
from accounts.models import User, Violation
from accounts.registration import DOMAIN_REFUSED

pytestmark = pytest.mark.django_db


def sign_in(client, login: str, password: str):
    return client.post(reverse("account_login"), {"login": login, "password": password})


def test_first_sign_in_creates_the_user_from_the_directory(client, slapd_server, ldap_env):
    ldap_env(slapd_server.url)
    response = sign_in(client, "grace@parley.test", "grace-pass-1")
    assert response.status_code == 302 and response["Location"] == reverse("home")
    grace = User.objects.get(email="grace@parley.test")
    assert (grace.provider, grace.ldap_id, grace.name, grace.username) == (
        "ldap",
        "grace",
        "Grace Hopper",
        "Grace",
    )
    assert grace.role == "admin" and not grace.has_usable_password()
    assert client.get(reverse("home")).status_code == 200


def test_later_sign_ins_reuse_the_user(client, slapd_server, ldap_env):
    ldap_env(slapd_server.url)
    sign_in(client, "alan@parley.test", "alan-pass-1")
    client.logout()
    assert sign_in(client, "alan@parley.test", "alan-pass-1").status_code == 302
    assert User.objects.filter(email="alan@parley.test").count() == 1


def test_username_login_and_attribute_variables(client, slapd_server, ldap_env):
    ldap_env(
        slapd_server.url,
        LDAP_SEARCH_FILTER="uid={{username}}",
        LDAP_LOGIN_USES_USERNAME="true",
        LDAP_USERNAME="uid",
        LDAP_FULL_NAME="sn,givenName",
        LDAP_ID="mail",
    )
    page = client.get(reverse("account_login")).content.decode()
    assert 'autocomplete="username"' in page and "Username" in page
    assert sign_in(client, "alan", "alan-pass-1").status_code == 302
    alan = User.objects.get(email="alan@parley.test")
    assert (alan.username, alan.name, alan.ldap_id) == ("alan", "Turing Alan", "alan@parley.test")


def test_wrong_password_and_unknown_user_get_the_same_answer(client, slapd_server, ldap_env):
    ldap_env(slapd_server.url)
    wrong = sign_in(client, "grace@parley.test", "not-her-password").content.decode()
    unknown = sign_in(client, "nobody@parley.test", "whatever-1").content.decode()
    message = "The email address and/or password you specified are not correct."
    assert message in wrong and message in unknown
    assert not User.objects.exists()
    assert Violation.objects.filter(kind="logins").count() == 2


def test_directory_down_is_explained(client, slapd_server, ldap_env):
    ldap_env(slapd_server.url)
    slapd_server.stop()
    response = sign_in(client, "grace@parley.test", "grace-pass-1")
    assert response.status_code == 200
    assert "The directory server cannot be reached" in response.content.decode()


def test_local_accounts_still_sign_in_beside_ldap(client, slapd_server, ldap_env, user):
    ldap_env(slapd_server.url)
    assert sign_in(client, "alice@example.com", "pw-alice-1").status_code == 302


def test_starttls_with_the_ca_certificate(client, tmp_path, ldap_env):
    from tests.accounts.servers import slapd

    server = slapd.start(tmp_path / "tls", tls=True)
    try:
        ldap_env(server.url, LDAP_STARTTLS="true", LDAP_CA_CERT_PATH=str(server.ca_cert))
        assert sign_in(client, "grace@parley.test", "grace-pass-1").status_code == 302
    finally:
        server.stop()


def test_starttls_refuses_an_unknown_certificate(client, tmp_path, ldap_env):
    from tests.accounts.servers import slapd

    server = slapd.start(tmp_path / "tls", tls=True)
    try:
        ldap_env(server.url, LDAP_STARTTLS="true")
        response = sign_in(client, "grace@parley.test", "grace-pass-1")
        assert response.status_code == 200 and not User.objects.exists()
    finally:
        server.stop()


def test_an_unverified_local_account_with_the_same_email_is_not_taken_over(
    client, slapd_server, ldap_env
):
    squatter = User.objects.create_user(email="grace@parley.test", password="squatter-pass-1")
    ldap_env(slapd_server.url)
    response = sign_in(client, "grace@parley.test", "grace-pass-1")
    assert response.status_code == 200
    assert refusal("LDAP") in response.content.decode()
    squatter.refresh_from_db()
    assert (squatter.ldap_id, squatter.provider) == ("", "local")
    assert squatter.check_password("squatter-pass-1")
    assert client.get(reverse("home")).status_code == 302  # not signed in
    assert not Violation.objects.exists()  # the directory accepted the password


def test_a_verified_local_account_with_the_same_email_is_linked(client, slapd_server, ldap_env):
    local = User.objects.create_user(email="grace@parley.test", email_verified=True)
    ldap_env(slapd_server.url)
    assert sign_in(client, "grace@parley.test", "grace-pass-1").status_code == 302
    local.refresh_from_db()
    assert local.ldap_id == "grace" and User.objects.count() == 1


def test_a_returning_user_is_found_by_ldap_identity_not_email(client, slapd_server, ldap_env):
    mine = User.objects.create_user(
        email="g.hopper@parley.test", provider="ldap", ldap_id="grace", email_verified=True
    )
    ldap_env(slapd_server.url)
    assert sign_in(client, "grace@parley.test", "grace-pass-1").status_code == 302
    assert User.objects.count() == 1
    assert client.get(reverse("account_profile")).context["user"] == mine


def test_first_sign_in_outside_the_allowed_domains_is_refused(
    client, slapd_server, ldap_env, allowed_domains
):
    allowed_domains("example.com")
    ldap_env(slapd_server.url)
    response = sign_in(client, "grace@parley.test", "grace-pass-1")
    assert response.status_code == 200
    assert str(DOMAIN_REFUSED) in response.content.decode()
    assert not User.objects.exists()


def test_first_sign_in_inside_the_allowed_domains_creates_the_user(
    client, slapd_server, ldap_env, allowed_domains
):
    allowed_domains("example.com", "PARLEY.test")
    ldap_env(slapd_server.url)
    assert sign_in(client, "grace@parley.test", "grace-pass-1").status_code == 302
    assert User.objects.filter(email="grace@parley.test", ldap_id="grace").exists()
