"""Cloudflare Turnstile on sign-in and sign-up: the widget from librechat.yaml's `turnstile`,
its CSP origins on those pages only, and the token verified against a siteverify double
when TURNSTILE_SECRET_KEY is set."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts import turnstile
from accounts.models import User
from tests.accounts.servers.siteverify import SiteVerify

pytestmark = pytest.mark.django_db
SECRET = "0x4AAAAAAAtest-secret"
SITE_KEY = "0x4AAAAAAAsite-key"
PASSWORD = "a-long-pass-phrase-9"
ORIGIN = "https://challenges.cloudflare.com"
WIDGET = (
    "version: 1.3.14\n"
    "turnstile:\n"
    f"  siteKey: {SITE_KEY}\n"
    "  options:\n"
    "    language: de\n"
    "    size: compact\n"
)


@pytest.fixture
def librechat_yaml(settings, tmp_path):
    from endpoints import config

    def write(text: str) -> None:
        path = tmp_path / "librechat.yaml"
        path.write_text(text)
        settings.CONFIG_PATH = str(path)
        config.current.cache_clear()

    yield write
    config.current.cache_clear()


@pytest.fixture
def siteverify(settings):
    double = SiteVerify(SECRET).start()
    settings.TURNSTILE_VERIFY_URL = double.url
    yield double
    double.stop()


@pytest.fixture
def verified(librechat_yaml, siteverify, settings):
    """The widget configured and its tokens checked on the server."""
    librechat_yaml(WIDGET)
    settings.TURNSTILE_SECRET_KEY = SECRET
    return siteverify


def sign_in(client, user, token: str | None = None):
    data = {"login": user.email, "password": "pw-12345678"}
    if token is not None:
        data[turnstile.FIELD] = token
    return client.post(reverse("account_login"), data)


@pytest.fixture
def member(db):
    return User.objects.create_user(email="ada@example.com", password="pw-12345678")


def test_the_widget_renders_on_sign_in_and_sign_up_as_configured(client, librechat_yaml):
    librechat_yaml(WIDGET)
    for name in ("account_login", "account_signup"):
        response = client.get(reverse(name))
        page = response.content.decode()
        assert f'data-sitekey="{SITE_KEY}"' in page
        assert 'data-language="de"' in page and 'data-size="compact"' in page
        assert f'<script src="{ORIGIN}/turnstile/v0/api.js" async defer></script>' in page
        policy = response["Content-Security-Policy"]
        assert f"script-src 'self' {ORIGIN}" in policy and f"frame-src {ORIGIN}" in policy


def test_without_the_section_no_widget_and_no_cloudflare_in_the_policy(client, librechat_yaml):
    librechat_yaml("version: 1.3.14\n")
    response = client.get(reverse("account_login"))
    assert "cf-turnstile" not in response.content.decode()
    assert ORIGIN not in response["Content-Security-Policy"]


def test_other_pages_never_allow_cloudflare(client, librechat_yaml, member):
    librechat_yaml(WIDGET)
    client.force_login(member)
    assert ORIGIN not in client.get(reverse("account_profile"))["Content-Security-Policy"]


def test_a_valid_token_signs_in_once(client, verified, member):
    token = verified.issue()
    assert sign_in(client, member, token).status_code == 302
    assert client.get(reverse("account_profile")).status_code == 200
    assert verified.requests[-1]["secret"] == SECRET
    assert verified.requests[-1]["response"] == token
    assert verified.requests[-1]["remoteip"] == "127.0.0.1"
    client.logout()
    page = sign_in(client, member, token).content.decode()  # spent: timeout-or-duplicate
    assert "The verification expired or was already used" in page


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (None, "Please complete the verification"),
        ("", "Please complete the verification"),
        ("forged", "The verification failed"),
        ("x" * 3000, "The verification failed"),
    ],
)
def test_a_missing_or_failed_token_is_a_form_error(client, verified, member, token, message):
    response = sign_in(client, member, token)
    assert response.status_code == 200 and message in response.content.decode()
    assert client.get(reverse("account_profile")).status_code == 302  # not signed in


def test_the_token_is_checked_before_the_password(client, verified, member):
    """A bot without a token learns nothing about the password (and costs no hash)."""
    data = {"login": member.email, "password": "wrong"}
    page = client.post(reverse("account_login"), data).content.decode()
    assert "Please complete the verification" in page
    assert not verified.requests  # nothing to verify: refused before the call


def test_a_token_solved_on_another_host_is_refused(client, verified, member):
    """Cloudflare's `hostname` names the site the challenge ran on: a token solved on
    another site with the same widget does not sign in here."""
    verified.hostname = "elsewhere.example"
    page = sign_in(client, member, verified.issue()).content.decode()
    assert "The verification failed" in page
    assert client.get(reverse("account_profile")).status_code == 302
    verified.hostname = "TestServer"  # host names compare case-insensitively
    assert sign_in(client, member, verified.issue()).status_code == 302


def test_the_public_host_passes_behind_a_proxy_that_rewrites_host(
    client, verified, member, settings
):
    """A proxy that sends its upstream's Host (nginx's default): the widget ran on the
    public host DOMAIN_CLIENT names."""
    settings.DOMAIN_CLIENT = "https://chat.example.com/chat"
    verified.hostname = "chat.example.com"
    assert sign_in(client, member, verified.issue()).status_code == 302


def test_the_host_is_compared_without_its_port(client, verified, member):
    response = client.post(
        reverse("account_login"),
        {"login": member.email, "password": "pw-12345678", turnstile.FIELD: verified.issue()},
        HTTP_HOST="testserver:8443",
    )
    assert response.status_code == 302


def test_sign_up_needs_a_token_too(client, verified):
    data = {"email": "new@example.com", "password1": PASSWORD, "password2": PASSWORD}
    page = client.post(reverse("account_signup"), data).content.decode()
    assert "Please complete the verification" in page
    assert not User.objects.filter(email="new@example.com").exists()
    data[turnstile.FIELD] = verified.issue()
    assert client.post(reverse("account_signup"), data).status_code == 302
    assert User.objects.filter(email="new@example.com").exists()


def test_an_unreachable_service_refuses_with_a_clear_error(client, verified, member, settings):
    settings.TURNSTILE_VERIFY_URL = "http://127.0.0.1:9/turnstile/v0/siteverify"
    page = sign_in(client, member, "0.any").content.decode()
    assert "The verification service could not be reached" in page
    assert client.get(reverse("account_profile")).status_code == 302


def test_a_wrong_secret_is_the_operators_error_not_the_users(client, verified, member, settings):
    settings.TURNSTILE_SECRET_KEY = "0x4AAAAAAAwrong"
    page = sign_in(client, member, verified.issue()).content.decode()
    assert "The verification could not be checked" in page


def test_without_a_secret_the_widget_shows_and_nothing_is_verified(
    client, librechat_yaml, siteverify, settings, member
):
    """LibreChat's behaviour: the widget only."""
    librechat_yaml(WIDGET)
    settings.TURNSTILE_SECRET_KEY = ""
    assert sign_in(client, member).status_code == 302
    assert not siteverify.requests


def test_a_secret_without_the_widget_verifies_nothing(client, librechat_yaml, settings, member):
    """Nobody could get a token: refusing every sign-in would lock everyone out."""
    librechat_yaml("version: 1.3.14\n")
    settings.TURNSTILE_SECRET_KEY = SECRET
    assert sign_in(client, member).status_code == 302


@pytest.mark.parametrize(
    ("language", "message"),
    [("zh-hans", "请完成人机验证。"), ("ko", "보안 확인을 완료하세요.")],
)
def test_the_errors_are_translated(client, verified, member, language, message):
    data = {"login": member.email, "password": "pw-12345678"}
    page = client.post(reverse("account_login"), data, HTTP_ACCEPT_LANGUAGE=language)
    assert message in page.content.decode()
