"""check_send: each refusal with its code, message, end and violation; admission slots."""

from dataclasses import dataclass
from datetime import datetime

import pytest

from accounts import bans, guards
from accounts.guards import Refusal
from accounts.models import Ban, Violation

pytestmark = pytest.mark.django_db
CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/128.0.0.0 Safari/537.36"
)


@dataclass(frozen=True)
class Rates:
    prompt: float = 1.0
    completion: float = 2.0
    cache_read: float | None = None
    cache_write: float | None = None


@pytest.fixture(autouse=True)
def quiet(settings):
    """Only the limit under test is on; a fresh local cache per test."""
    settings.LIMIT_MESSAGE_IP = settings.LIMIT_MESSAGE_USER = False
    settings.LIMIT_CONCURRENT_MESSAGES = settings.CHECK_BALANCE = False
    settings.BAN_VIOLATIONS = False
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "g"}
    }
    from django.core.cache import cache

    cache.clear()


def send(user, ip="203.0.113.5", **overrides):
    args = {
        "endpoint": "openAI",
        "model": "gpt-4o",
        "offered_models": ["gpt-4o", "gpt-4o-mini"],
        "prompt_tokens": 100,
        "rates": Rates(),
        "user_agent": CHROME,
    }
    return guards.check_send(user, ip, **(args | overrides))


def refusal(user, **overrides) -> Refusal:
    with pytest.raises(Refusal) as refused:
        send(user, **overrides)
    return refused.value


@pytest.mark.parametrize(
    ("agent", "browser"),
    [
        (CHROME, True),
        ("Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0", True),
        ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/128.0", True),
        ("curl/8.5.0", False),
        ("python-requests/2.32.3", False),
        ("", False),
        (None, False),
    ],
)
def test_is_browser(agent, browser):
    assert guards.is_browser(agent) is browser


def test_a_clean_message_is_admitted(user):
    admission = send(user)
    admission.release()
    assert not Violation.objects.exists()


def test_banned_user_is_refused_with_the_end(user):
    bans.ban(user, "198.51.100.1", reason="test")
    refused = refusal(user)
    assert refused.code == "banned" and isinstance(refused.until, datetime)
    assert refused.until == Ban.objects.get().ends_at


def test_bans_the_caller_has_just_checked_are_not_read_again(user, django_assert_num_queries):
    """The chat socket's session check read them (accounts.sessions.require_live)."""
    with django_assert_num_queries(0):
        send(user, bans_checked=True).release()


def test_non_browser_scores_and_is_refused(user):
    refused = refusal(user, user_agent="curl/8.5.0")
    assert refused.code == "non_browser"
    assert Violation.objects.get().kind == "non_browser"
    assert Violation.objects.get().score == 20
    send(user, user_agent=None)  # not a browser-only path: no check


def test_illegal_model_scores_illegal_model_req_score(user, settings):
    settings.VIOLATION_SCORES = {**settings.VIOLATION_SCORES, "illegal_model_request": 5}
    refused = refusal(user, model="gpt-5-secret")
    assert refused.code == "illegal_model" and "gpt-5-secret" in refused.message
    assert Violation.objects.get().score == 5
    send(user, model="anything", offered_models=None)  # list unknown: not checked


def test_message_ip_limit_says_when_to_come_back(user, stranger, settings):
    settings.LIMIT_MESSAGE_IP, settings.MESSAGE_IP_MAX, settings.MESSAGE_IP_WINDOW = True, 2, 5
    send(user)
    send(stranger)  # the same IP
    refused = refusal(user)
    assert refused.code == "message_limit" and refused.until is not None
    assert f"{refused.until:%H:%M:%S} UTC" in refused.message
    assert Violation.objects.get().kind == "message_limit"
    send(user, ip="198.51.100.9")  # another IP is counted apart


def test_message_user_limit(user, stranger, settings):
    settings.LIMIT_MESSAGE_USER, settings.MESSAGE_USER_MAX = True, 1
    send(user)
    assert refusal(user, ip="198.51.100.9").code == "message_limit"
    send(stranger)


def test_concurrent_limit_until_a_generation_ends(user, settings):
    settings.LIMIT_CONCURRENT_MESSAGES, settings.CONCURRENT_MESSAGE_MAX = True, 2
    first, second = send(user), send(user)
    refused = refusal(user)
    assert refused.code == "concurrent" and Violation.objects.get().kind == "concurrent"
    first.release()
    first.release()  # idempotent
    third = send(user)
    second.release()
    third.release()


def test_balance_refusal_frees_the_slot_and_records_a_zero_score(user, settings):
    settings.CHECK_BALANCE, settings.START_BALANCE = True, 50
    settings.LIMIT_CONCURRENT_MESSAGES, settings.CONCURRENT_MESSAGE_MAX = True, 1
    refused = refusal(user, prompt_tokens=51)
    assert refused.code == "balance" and "51 prompt tokens" in refused.message
    violation = Violation.objects.get()
    assert (violation.kind, violation.score) == ("token_balance", 0)
    send(user, prompt_tokens=50).release()  # the refused attempt left no slot taken
