"""Who may call the /v1 API: the per-IP limit, the key, the bans of its user and its IP."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from accounts import bans
from chatapp.gateway import callers
from chatapp.gateway.errors import ApiError

pytestmark = pytest.mark.django_db
IP = "203.0.113.9"


def refusal(text: str | None, ip: str = IP) -> ApiError:
    with pytest.raises(ApiError) as refused:
        callers.admit(text, ip)
    return refused.value


def test_a_live_key_is_its_users_and_a_strangers_is_theirs(user, stranger, make_key):
    mine, theirs = make_key(user), make_key(stranger)
    assert callers.admit(mine, IP).user == user
    assert callers.admit(theirs, IP).user == stranger


def test_no_key_or_an_unknown_one_is_401(user):
    assert (refusal(None).status, refusal(None).code) == (401, "invalid_api_key")
    assert "Incorrect API key" in refusal("sk-parley-unknown").message


def test_a_banned_ip_is_refused_as_banned_key_or_not(user, make_key):
    key = make_key(user)
    bans.ban(None, IP, "test")
    for text in (key, "sk-parley-unknown", None):
        assert (refusal(text).status, refusal(text).code) == (403, "banned")
    assert callers.admit(key, "203.0.113.10").user == user  # another IP


def test_a_banned_users_key_is_refused_as_banned(user, make_key):
    key = make_key(user)
    bans.ban(user, None, "test")
    assert (refusal(key).status, refusal(key).code) == (403, "banned")


def test_the_per_ip_limit_is_429(user, make_key, settings):
    settings.GLOBAL_API_RATE_LIMIT = 1
    cache.clear()  # the counts of earlier tests and runs
    key = make_key(user)
    callers.admit(key, IP)
    assert (refusal(key).status, refusal(key).code) == (429, "rate_limit_exceeded")
