"""Mail through a real SMTP server: verification and reset links are followed to the end."""

import re
import ssl
import time

import pytest
from django.urls import reverse

from accounts import mail
from accounts.models import User

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-pass-phrase-9"


def link_in(message) -> str:
    body = (
        message.get_payload(0).get_payload(decode=True).decode()
        if message.is_multipart()
        else (message.get_payload(decode=True).decode())
    )
    return re.search(r"http://testserver(/\S+)", body).group(1)


def test_verification_mail_arrives_and_its_link_verifies(client, mail_env, smtp_sink):
    mail_env(ALLOW_UNVERIFIED_EMAIL_LOGIN="false")
    data = {"email": "vera@example.com", "password1": PASSWORD, "password2": PASSWORD}
    response = client.post(reverse("account_signup"), data)
    page = client.get(response["Location"]).content.decode()
    assert "We have sent you an e-mail" in page
    [message] = smtp_sink.wait_for(1)
    assert message["To"] == "vera@example.com"
    assert message["From"] == "Parley <noreply@parley.test>"
    assert smtp_sink.logins == ["mailer"]
    client.post(link_in(message))
    assert User.objects.get(email="vera@example.com").email_verified
    assert client.get(reverse("home")).status_code == 200


def test_password_reset_mail_sets_a_new_password(client, mail_env, smtp_sink, user):
    mail_env(ALLOW_PASSWORD_RESET="true")
    client.post(reverse("account_reset_password"), {"email": "alice@example.com"})
    [message] = smtp_sink.wait_for(1)
    form_page = client.get(link_in(message), follow=True)
    assert form_page.status_code == 200
    new = {"password1": "brand-new-pass-7", "password2": "brand-new-pass-7"}
    done = client.post(form_page.redirect_chain[-1][0], new)
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("brand-new-pass-7")


def test_reset_for_an_unknown_address_answers_the_same_and_sends_nothing(
    client, mail_env, smtp_sink
):
    mail_env(ALLOW_PASSWORD_RESET="true")
    response = client.post(reverse("account_reset_password"), {"email": "ghost@example.com"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "If an account uses that address" in page
    time.sleep(0.5)  # a message, had one been queued, would have reached the sink by now
    assert smtp_sink.messages == []


def test_without_email_the_reset_page_says_so_and_the_link_is_logged(
    client, auth_env, user, caplog
):
    auth_env(ALLOW_PASSWORD_RESET="true")
    response = client.post(reverse("account_reset_password"), {"email": "alice@example.com"})
    page = client.get(response["Location"]).content.decode()
    assert "E-mail is not configured on this server" in page
    assert "/accounts/password/reset/key/" in caplog.text


def test_starttls_with_a_self_signed_certificate_when_allowed(settings, auth_env, smtp_tls_sink):
    from tests.accounts.servers.smtp import PASSWORD as SMTP_PASSWORD
    from tests.accounts.servers.smtp import USERNAME

    auth_env(
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_tls_sink.port),
        EMAIL_ENCRYPTION="starttls",
        EMAIL_ENCRYPTION_HOSTNAME="mail.parley.test",
        EMAIL_ALLOW_SELFSIGNED="true",
        EMAIL_USERNAME=USERNAME,
        EMAIL_PASSWORD=SMTP_PASSWORD,
        EMAIL_FROM="noreply@parley.test",
    )
    payload = {"subject": "hi", "body": "b", "from_email": "noreply@parley.test", "to": ["a@x.y"]}
    mail.deliver(payload)
    assert smtp_tls_sink.wait_for(1)[0]["Subject"] == "hi"
    assert smtp_tls_sink.logins == ["mailer"]


def test_starttls_refuses_a_self_signed_certificate_by_default(auth_env, smtp_tls_sink):
    auth_env(
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_tls_sink.port),
        EMAIL_ENCRYPTION="starttls",
        EMAIL_FROM="noreply@parley.test",
    )
    payload = {"subject": "hi", "body": "b", "from_email": "noreply@parley.test", "to": ["a@x.y"]}
    with pytest.raises(ssl.SSLCertVerificationError):
        mail.deliver(payload)
    assert smtp_tls_sink.messages == []
