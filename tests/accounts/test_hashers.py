"""LibreChat's bcryptjs hashes: checked as they are, upgraded to Parley's default on sign-in."""

from __future__ import annotations

import bcrypt
import pytest
from django.contrib.auth.hashers import check_password, identify_hasher
from django.urls import reverse

from accounts.hashers import BCryptJSPasswordHasher, from_librechat

pytestmark = pytest.mark.django_db

HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "accounts.hashers.BCryptJSPasswordHasher",
]


def librechat_hash(password: bytes, prefix: bytes = b"2b") -> str:
    return bcrypt.hashpw(password, bcrypt.gensalt(4, prefix=prefix)).decode()


@pytest.mark.parametrize("prefix", [b"2a", b"2b"])
def test_a_librechat_hash_signs_in_and_is_upgraded(client, settings, django_user_model, prefix):
    settings.PASSWORD_HASHERS = HASHERS
    stored = from_librechat(librechat_hash(b"old-password-1", prefix))
    user = django_user_model.objects.create(email="ada@example.com", password=stored)

    wrong = client.post(reverse("account_login"), {"login": user.email, "password": "nope-nope"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": "old-password-1"}
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    user.refresh_from_db()
    assert user.password.startswith("md5$")  # re-hashed with the default hasher
    assert check_password("old-password-1", user.password)


def test_bytes_past_72_are_ignored_as_bcryptjs_does(settings):
    settings.PASSWORD_HASHERS = HASHERS
    long = "x" * 72
    stored = from_librechat(librechat_hash(long.encode()))
    assert check_password(long + "ignored by bcryptjs", stored)
    assert isinstance(identify_hasher(stored), BCryptJSPasswordHasher)


@pytest.mark.parametrize("value", [None, "", "plain-text", "$2b$10$short", 42])
def test_anything_else_is_not_taken_as_a_hash(value):
    assert from_librechat(value) is None
