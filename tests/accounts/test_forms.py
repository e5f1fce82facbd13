"""Sign-up and password reset forms: enumeration prevention and registration.allowedDomains."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.registration import DOMAIN_REFUSED

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-pass-phrase-9"


def sign_up(client, email: str):
    data = {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    return client.post(reverse("account_signup"), data)


def answer(email: str) -> tuple[int, str, str]:
    """What a fresh browser sees after signing up as `email`: status, where it is sent,
    and that page (without its per-session CSRF token)."""
    client = Client()
    response = sign_up(client, email)
    page = client.get(response["Location"]).content.decode()
    assert client.get(reverse("home")).status_code == 302  # nobody is signed in by signing up
    page = re.sub(r"\b[A-Za-z0-9]{64}\b", "", page).replace(email, "(the address)")
    return response.status_code, response["Location"], page


@pytest.mark.parametrize("unverified_login", ["true", "false"])
def test_signing_up_with_a_taken_address_answers_as_a_new_one(
    mail_env, smtp_sink, user, unverified_login
):
    mail_env(ALLOW_UNVERIFIED_EMAIL_LOGIN=unverified_login)
    assert answer("alice@example.com") == answer("newcomer@example.com")
    user.refresh_from_db()
    assert user.check_password("pw-alice-1") and User.objects.count() == 2
    mails = {message["To"]: message for message in smtp_sink.wait_for(2)}
    assert "/accounts/confirm-email/" in mails["newcomer@example.com"].as_string()
    notice = mails["alice@example.com"]
    assert "Account Already Exists" in notice["Subject"]
    assert "http://testserver/accounts/login/" in notice.as_string()
    assert "/accounts/password/reset/" not in notice.as_string()  # ALLOW_PASSWORD_RESET is off


def test_the_already_exists_notice_offers_a_reset_when_it_is_allowed(mail_env, smtp_sink, user):
    mail_env(ALLOW_PASSWORD_RESET="true")
    answer("alice@example.com")
    [notice] = smtp_sink.wait_for(1)
    assert "http://testserver/accounts/password/reset/" in notice.as_string()


def test_without_email_a_taken_address_answers_as_a_new_one_too(auth_env, user):
    auth_env(ALLOW_UNVERIFIED_EMAIL_LOGIN="true")
    assert answer("alice@example.com") == answer("newcomer@example.com")


def test_the_verification_link_signs_the_new_account_in(client, mail_env, smtp_sink):
    mail_env(ALLOW_UNVERIFIED_EMAIL_LOGIN="true")
    response = sign_up(client, "vera@example.com")
    page = client.get(response["Location"]).content.decode()
    assert "We have sent you an e-mail" in page and "You can also sign in now" in page
    [message] = smtp_sink.wait_for(1)
    path = re.search(r"http://testserver(/accounts/confirm-email/\S+)", message.as_string())[1]
    client.post(path)
    assert User.objects.get(email="vera@example.com").email_verified
    assert client.get(reverse("home")).status_code == 200


def test_sign_up_outside_the_allowed_domains_is_refused(client, auth_env, allowed_domains):
    auth_env()
    allowed_domains("example.com")
    response = sign_up(client, "eve@elsewhere.test")
    assert response.status_code == 200
    assert str(DOMAIN_REFUSED) in response.content.decode()
    assert not User.objects.exists()


def test_sign_up_inside_the_allowed_domains_is_accepted(client, auth_env, allowed_domains):
    auth_env()
    allowed_domains("EXAMPLE.com")
    assert sign_up(client, "Ada@Example.COM").status_code == 302
    assert User.objects.filter(email="ada@example.com").exists()


def test_password_reset_outside_the_allowed_domains_is_refused(
    client, mail_env, smtp_sink, allowed_domains
):
    mail_env(ALLOW_PASSWORD_RESET="true")
    User.objects.create_user(email="old@elsewhere.test", password="pw-old-1234")
    allowed_domains("example.com")
    url = reverse("account_reset_password")
    response = client.post(url, {"email": "old@elsewhere.test"})
    assert response.status_code == 200
    assert str(DOMAIN_REFUSED) in response.content.decode()
    assert client.post(url, {"email": "alice@example.com"}).status_code == 302
    assert smtp_sink.messages == []  # alice has no account here; the refused one got nothing
