"""Two-factor authentication (allauth mfa): TOTP and recovery codes, enforced at every sign-in."""

import base64
import hashlib
import hmac
import struct
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse

pytestmark = pytest.mark.django_db


def totp_code(secret: str, step: int = 0) -> str:
    """RFC 6238, written out here so the test does not trust the code under test."""
    counter = int(time.time()) // 30 + step
    digest = hmac.new(base64.b32decode(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**6:06d}"


def sign_in(client, login: str, password: str):
    return client.post(reverse("account_login"), {"login": login, "password": password})


def test_activate_totp_then_sign_in_with_a_recovery_code(client, auth_env, user):
    auth_env()
    sign_in(client, "alice@example.com", "pw-alice-1")
    # Turning 2FA on is a sensitive change: allauth asks for the password again.
    assert client.get(reverse("mfa_activate_totp"))["Location"].startswith(
        reverse("account_reauthenticate")
    )
    client.post(reverse("account_reauthenticate"), {"password": "pw-alice-1"})
    page = client.get(reverse("mfa_activate_totp"))
    secret = page.context["form"].secret
    activated = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert activated.status_code == 302
    codes = RecoveryCodes(Authenticator.objects.get(user=user, type="recovery_codes"))
    client.post(reverse("account_logout"))

    response = sign_in(client, "alice@example.com", "pw-alice-1")
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("home")).status_code == 302  # the password alone is not enough
    done = client.post(reverse("mfa_authenticate"), {"code": codes.get_unused_codes()[0]})
    assert done.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_a_wrong_code_is_refused_and_the_right_one_accepted(client, auth_env, user):
    auth_env()
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    assert sign_in(client, "alice@example.com", "pw-alice-1")["Location"] == reverse(
        "mfa_authenticate"
    )
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200 and "Incorrect code" in wrong.content.decode()
    assert client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)}).status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_ldap_users_pass_two_factor_too(client, slapd_server, ldap_env):
    from accounts.models import User

    ldap_env(slapd_server.url)
    sign_in(client, "grace@parley.test", "grace-pass-1")
    TOTP.activate(User.objects.get(email="grace@parley.test"), generate_totp_secret())
    client.post(reverse("account_logout"))
    response = sign_in(client, "grace@parley.test", "grace-pass-1")
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("home")).status_code == 302


def test_openid_users_pass_two_factor_too(client, start_openid_provider, openid_env):
    from accounts.models import User
    from tests.accounts.openid.test_views import sign_in as openid_sign_in

    openid_env(start_openid_provider().issuer)
    openid_sign_in(client, "ada")
    TOTP.activate(User.objects.get(email="ada@example.com"), generate_totp_secret())
    client.post(reverse("account_logout"))
    response = openid_sign_in(client, "ada")
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("home")).status_code == 302
