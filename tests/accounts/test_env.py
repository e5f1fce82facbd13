import pytest

from accounts.env import auth_settings
from chatapp.conf.environment import EnvError


def build(**variables: str) -> dict:
    return auth_settings(variables, domain_server="http://localhost:3080")


def test_switch_defaults_follow_librechat_env_example():
    values = build()
    assert values["ALLOW_EMAIL_LOGIN"] and values["ALLOW_REGISTRATION"]
    assert not values["ALLOW_SOCIAL_LOGIN"] and not values["ALLOW_SOCIAL_REGISTRATION"]
    assert not values["ALLOW_PASSWORD_RESET"] and values["ALLOW_ACCOUNT_DELETION"]
    assert values["ACCOUNT_EMAIL_VERIFICATION"] == "optional"


def test_unverified_login_off_makes_verification_mandatory():
    assert build(ALLOW_UNVERIFIED_EMAIL_LOGIN="false")["ACCOUNT_EMAIL_VERIFICATION"] == "mandatory"


def test_bad_switch_value_is_a_one_line_error():
    with pytest.raises(EnvError, match="ALLOW_REGISTRATION='maybe' is invalid"):
        build(ALLOW_REGISTRATION="maybe")


def test_session_expiry_accepts_librechat_arithmetic():
    values = build(SESSION_EXPIRY="1000*60*30", REFRESH_TOKEN_EXPIRY="(1000*60*60*24)*2")
    assert values["SESSION_COOKIE_AGE"] == 1800
    assert values["SESSION_MAX_AGE"] == 2 * 86400
    assert values["SESSION_SAVE_EVERY_REQUEST"] is True


def test_cookies_are_secure_only_over_https():
    assert not build()["SESSION_COOKIE_SECURE"]
    values = auth_settings({}, domain_server="https://chat.example.com")
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SESSION_COOKIE_HTTPONLY"] and values["SESSION_COOKIE_SAMESITE"] == "Lax"


@pytest.mark.parametrize("raw", ["soon", "2**99", "1000*"])
def test_session_expiry_rejects_anything_but_arithmetic(raw):
    with pytest.raises(EnvError, match="SESSION_EXPIRY"):
        build(SESSION_EXPIRY=raw)


def test_email_is_off_without_host_or_service():
    assert build()["EMAIL_ENABLED"] is False


def test_email_host_with_starttls():
    values = build(
        EMAIL_HOST="smtp.example.com",
        EMAIL_PORT="587",
        EMAIL_ENCRYPTION="starttls",
        EMAIL_USERNAME="bot",
        EMAIL_PASSWORD="secret",
        EMAIL_FROM="noreply@example.com",
        EMAIL_FROM_NAME="Parley Support",
    )
    assert values["EMAIL_ENABLED"] is True
    assert (values["EMAIL_HOST"], values["EMAIL_PORT"]) == ("smtp.example.com", 587)
    assert values["EMAIL_USE_TLS"] and not values["EMAIL_USE_SSL"]
    assert values["DEFAULT_FROM_EMAIL"] == "Parley Support <noreply@example.com>"


def test_email_well_known_service_and_implicit_tls():
    values = build(EMAIL_SERVICE="Gmail", EMAIL_FROM="a@example.com")
    assert (values["EMAIL_HOST"], values["EMAIL_PORT"], values["EMAIL_USE_SSL"]) == (
        "smtp.gmail.com",
        465,
        True,
    )
    assert build(EMAIL_HOST="h", EMAIL_FROM="a@b.c", EMAIL_ENCRYPTION="tls")["EMAIL_USE_SSL"]


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"EMAIL_SERVICE": "pigeon", "EMAIL_FROM": "a@b.c"}, "EMAIL_SERVICE"),
        (
            {"EMAIL_HOST": "h", "EMAIL_ENCRYPTION": "ssl3", "EMAIL_FROM": "a@b.c"},
            "EMAIL_ENCRYPTION",
        ),
        ({"EMAIL_HOST": "h"}, "EMAIL_FROM"),
    ],
)
def test_email_mistakes_name_the_variable(variables, named):
    with pytest.raises(EnvError, match=named):
        build(**variables)


def test_throttles_come_from_login_and_register_limits():
    limits = build(LOGIN_MAX="3", LOGIN_WINDOW="2", REGISTER_MAX="4", REGISTER_WINDOW="10")[
        "ACCOUNT_RATE_LIMITS"
    ]
    assert limits["login_failed"] == "3/120s/ip,3/120s/key"
    assert limits["signup"] == "4/600s/ip"
