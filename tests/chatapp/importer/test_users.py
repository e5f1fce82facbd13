"""Users from a mongodump: passwords that still work, identities, roles, 2FA, merges."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from allauth.socialaccount.models import SocialAccount
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from chatapp.importer.run import Options
from chatapp.importer.steps import execute
from chatapp.models import Conversation
from tests.accounts.test_two_factor import totp_code
from tests.chatapp.importer import dumps

pytestmark = pytest.mark.django_db
CREDS_KEY = os.urandom(32).hex()
HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "accounts.hashers.BCryptJSPasswordHasher",
]


def imported(path, **options):
    return execute(Options(directory=path, creds_key=CREDS_KEY, **options))


def encrypt_v3(value: str) -> str:
    """users.totpSecret as LibreChat's encryptV3 writes it: AES-256-CTR, `v3:iv:ct` in hex."""
    iv = os.urandom(16)
    encryptor = Cipher(algorithms.AES(bytes.fromhex(CREDS_KEY)), modes.CTR(iv)).encryptor()
    return f"v3:{iv.hex()}:{(encryptor.update(value.encode()) + encryptor.finalize()).hex()}"


def test_an_imported_user_signs_in_with_the_old_password(tmp_path, client, settings):
    settings.PASSWORD_HASHERS = HASHERS
    dumps.write(tmp_path, {"users": [dumps.user("Ada@LibreChat.test", "old-password-1")]})
    imported(tmp_path)
    response = client.post(
        reverse("account_login"), {"login": "ada@librechat.test", "password": "old-password-1"}
    )
    assert response.status_code == 302
    ada = User.objects.get(email="ada@librechat.test")
    assert client.session["_auth_user_id"] == str(ada.pk)
    assert ada.password.startswith("md5$")


def test_profile_fields_role_and_identities(tmp_path):
    admin = dumps.user(
        "root@librechat.test",
        role="ADMIN",
        avatar="https://img.test/a.png",
        googleId="g-1",
        githubId="gh-2",
        openidId="sub-3",
        termsAccepted=True,
    )
    ldap = dumps.user("grace@librechat.test", None, provider="ldap", ldapId="grace")
    social = dumps.user(
        "bob@librechat.test",
        None,
        provider="google",
        googleId="g-9",
        emailVerified=False,
        avatar="/images/bob/avatar.png",
        samlId="s-1",
    )
    dumps.write(tmp_path, {"users": [admin, ldap, social]})
    report = imported(tmp_path)

    root = User.objects.get(email="root@librechat.test")
    assert (root.role, root.is_staff, root.is_superuser, root.terms_accepted) == (
        "admin",
        True,
        True,
        True,
    )
    assert root.avatar == "https://img.test/a.png"
    assert sorted(SocialAccount.objects.filter(user=root).values_list("provider", "uid")) == [
        ("github", "gh-2"),
        ("google", "g-1"),
        ("openid", "sub-3"),
    ]
    grace = User.objects.get(email="grace@librechat.test")
    assert (grace.provider, grace.ldap_id, grace.has_usable_password()) == ("ldap", "grace", False)
    bob = User.objects.get(email="bob@librechat.test")
    assert (bob.email_verified, bob.avatar, bob.is_staff) == (False, "", False)
    assert report.tally("identities").skipped["SAML is not supported by Parley"] == 1


def test_an_ldap_id_another_account_holds_stays_with_it(tmp_path):
    mine = User.objects.create_user(email="grace@parley.test", provider="ldap", ldap_id="grace")
    users = [
        dumps.user("grace@librechat.test", None, provider="ldap", ldapId="grace"),
        dumps.user("alan@librechat.test", None, provider="ldap", ldapId="alan"),
        dumps.user("alan.t@librechat.test", None, provider="ldap", ldapId="alan"),
    ]
    dumps.write(tmp_path, {"users": users})
    report = imported(tmp_path)
    assert User.objects.get(ldap_id="grace") == mine  # one directory entry, one account
    assert User.objects.get(email="grace@librechat.test").ldap_id == ""
    assert User.objects.get(ldap_id="alan").email == "alan@librechat.test"
    assert User.objects.get(email="alan.t@librechat.test").ldap_id == ""
    assert report.tally("identities").skipped["LDAP id held by another account"] == 2


def test_two_factor_secret_is_resealed_or_reported(tmp_path):
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    good = dumps.user(
        "ada@librechat.test",
        twoFactorEnabled=True,
        totpSecret=encrypt_v3(secret),
        backupCodes=[{"codeHash": "ab" * 32, "used": False}],
    )
    legacy = dumps.user("old@librechat.test", twoFactorEnabled=True, totpSecret=secret)
    other_key = dumps.user(
        "lost@librechat.test", twoFactorEnabled=True, totpSecret="v3:" + "00" * 16 + ":" + "ff" * 32
    )
    dumps.write(tmp_path, {"users": [good, legacy, other_key]})
    report = imported(tmp_path)

    for email in ("ada@librechat.test", "old@librechat.test"):
        device = Authenticator.objects.get(user__email=email, type="totp")
        assert TOTP(device).validate_code(totp_code(secret))  # the same authenticator app works
    assert not Authenticator.objects.filter(user__email="lost@librechat.test").exists()
    flagged = User.objects.filter(must_enrol_totp=True).values_list("email", flat=True)
    assert list(flagged) == ["lost@librechat.test"]  # sent to enrol again at sign-in
    skipped = report.tally("two-factor").skipped
    why = "the secret does not decrypt with this CREDS_KEY"
    assert list(skipped) == [f"secret unreadable ({why}): flagged to enrol again"]


def test_a_merged_account_with_its_own_authenticator_is_not_flagged(tmp_path, user):
    TOTP.activate(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    lost = dumps.user(
        "alice@example.com", twoFactorEnabled=True, totpSecret="v3:" + "00" * 16 + ":" + "ff" * 32
    )
    dumps.write(tmp_path, {"users": [lost]})
    imported(tmp_path, merge_existing=True)
    user.refresh_from_db()
    assert user.must_enrol_totp is False


def test_an_existing_email_is_merged_only_when_asked(tmp_path, user):
    alice = dumps.user("alice@example.com", "librechat-pw-1", googleId="g-alice")
    conv = dumps.conversation(alice)
    dumps.write(tmp_path, {"users": [alice], "conversations": [conv]})

    refused = imported(tmp_path)
    assert refused.tally("users").skipped == {"e-mail already in Parley (see --merge-existing)": 1}
    assert refused.tally("conversations").skipped == {"its user was not imported": 1}

    imported(tmp_path, merge_existing=True)
    user.refresh_from_db()
    assert user.check_password("pw-alice-1")  # Parley's own password stays
    assert Conversation.objects.get().owner == user
    assert SocialAccount.objects.get(user=user).uid == "g-alice"


def test_expired_unverified_accounts_broken_emails_and_reruns(tmp_path):
    pending = dumps.user("late@librechat.test", expiresAt=timezone.now() - timedelta(days=1))
    broken = dumps.user("not-an-address")
    fine = dumps.user("fine@librechat.test")
    dumps.write(tmp_path, {"users": [pending, broken, fine]})
    first = imported(tmp_path)
    assert list(User.objects.values_list("email", flat=True)) == ["fine@librechat.test"]
    assert first.tally("users").skipped == {
        "unverified account past its expiry": 1,
        "unreadable field email": 1,
    }
    second = imported(tmp_path)
    assert second.tally("users").skipped["imported by an earlier run"] == 1
    assert User.objects.count() == 1
