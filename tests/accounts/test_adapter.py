"""The ALLOW_* switches, the first admin and violations, through the real sign-in pages."""

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse

from accounts.linking import refusal
from accounts.models import User, Violation
from accounts.registration import DOMAIN_REFUSED

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-pass-phrase-9"


def recorded() -> list[tuple]:
    return sorted(Violation.objects.values_list("kind", "score", "ip"))


def sign_up(client, email: str):
    data = {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    return client.post(reverse("account_signup"), data)


def sign_in(client, login: str, password: str = PASSWORD):
    return client.post(reverse("account_login"), {"login": login, "password": password})


def test_first_user_to_register_is_admin_and_the_next_a_user(client, auth_env):
    auth_env()
    assert sign_up(client, "first@example.com").status_code == 302
    client.logout()
    sign_up(client, "second@example.com")
    first, second = (
        User.objects.get(email="first@example.com"),
        User.objects.get(email="second@example.com"),
    )
    assert (first.role, first.is_staff, first.is_superuser) == ("admin", True, True)
    assert (second.role, second.is_staff) == ("user", False)


def test_registration_switch_on_creates_the_account(client, auth_env):
    auth_env(ALLOW_REGISTRATION="true")
    response = sign_up(client, "new@example.com")
    assert response.status_code == 302
    assert sign_in(client, "new@example.com").status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_registration_switch_off_refuses_and_records_a_violation(client, auth_env, settings):
    auth_env(ALLOW_REGISTRATION="false")
    settings.VIOLATION_SCORES = {**settings.VIOLATION_SCORES, "registrations": 4}
    page = client.get(reverse("account_login"))
    assert reverse("account_signup") not in page.content.decode()
    response = sign_up(client, "new@example.com")
    assert "Registration is closed" in response.content.decode()
    assert not User.objects.filter(email="new@example.com").exists()
    assert recorded() == [("registrations", 4, "127.0.0.1")]


def test_email_login_on_signs_in(client, auth_env, user):
    auth_env(ALLOW_EMAIL_LOGIN="true")
    assert sign_in(client, "alice@example.com", "pw-alice-1").status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_email_login_off_hides_the_form_and_refuses_a_post(client, auth_env, user):
    auth_env(ALLOW_EMAIL_LOGIN="false")
    page = client.get(reverse("account_login")).content.decode()
    assert 'name="password"' not in page
    assert "No sign-in method is enabled" in page
    response = sign_in(client, "alice@example.com", "pw-alice-1")
    assert response.status_code == 200
    assert "Sign-in with e-mail and password is disabled" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_wrong_password_and_unknown_user_get_the_same_answer(client, auth_env, user, settings):
    auth_env()
    settings.VIOLATION_SCORES = {**settings.VIOLATION_SCORES, "logins": 2}
    wrong = sign_in(client, "alice@example.com", "not-her-password")
    unknown = sign_in(client, "nobody@example.com", "whatever-1")
    assert wrong.status_code == unknown.status_code == 200
    message = "The email address and/or password you specified are not correct."
    assert message in wrong.content.decode() and message in unknown.content.decode()
    assert recorded() == [("logins", 2, "127.0.0.1"), ("logins", 2, "127.0.0.1")]


def test_repeated_failures_for_one_account_are_throttled(client, auth_env, user):
    auth_env(LOGIN_MAX="3", LOGIN_WINDOW="5")
    for _ in range(3):
        sign_in(client, "alice@example.com", "wrong-password")
    response = sign_in(client, "alice@example.com", "pw-alice-1")  # even the right one waits
    assert "Too many failed login attempts" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_many_people_behind_one_address_all_sign_in(client, auth_env, user):
    """LOGIN_MAX counts failures; allauth's own cap of 30 sign-ins a minute per IP would
    lock out an office behind one NAT (and the e2e suite) with no variable to lift it."""
    auth_env(ALLOW_EMAIL_LOGIN="true")
    for _ in range(35):
        assert sign_in(client, "alice@example.com", "pw-alice-1").status_code == 302
        client.logout()


def test_password_reset_switch_off_is_404_and_unlinked(client, auth_env):
    auth_env(ALLOW_PASSWORD_RESET="false")
    assert client.get(reverse("account_reset_password")).status_code == 404
    assert "Forgot your password" not in client.get(reverse("account_login")).content.decode()


def test_password_reset_switch_on_shows_the_form(client, auth_env):
    auth_env(ALLOW_PASSWORD_RESET="true")
    assert client.get(reverse("account_reset_password")).status_code == 200
    assert "Forgot your password" in client.get(reverse("account_login")).content.decode()


def test_unverified_login_allowed_signs_in_at_once(client, auth_env, caplog):
    auth_env(ALLOW_UNVERIFIED_EMAIL_LOGIN="true")
    response = sign_up(client, "quick@example.com")
    page = client.get(response["Location"]).content.decode()
    assert "Sign in with your e-mail address and password" in page
    assert "Confirmation email sent" not in page  # no e-mail is configured
    assert "E-mail is not configured" not in page  # and nothing had to be sent
    assert "/accounts/confirm-email/" not in caplog.text
    assert client.get(reverse("home")).status_code == 302  # signing up signs nobody in
    assert sign_in(client, "quick@example.com").status_code == 302  # unverified, yet let in
    assert client.get(reverse("home")).status_code == 200


def test_unverified_login_refused_logs_the_link_without_email(client, auth_env, caplog):
    auth_env(ALLOW_UNVERIFIED_EMAIL_LOGIN="false")
    response = sign_up(client, "careful@example.com")
    page = client.get(response["Location"]).content.decode()
    assert "E-mail is not configured on this server" in page
    assert client.get(reverse("home")).status_code == 302  # not signed in until verified
    link = next(line for line in caplog.text.splitlines() if "/accounts/confirm-email/" in line)
    path = link[link.index("/accounts/confirm-email/") :].split()[0]
    client.post(path)
    assert User.objects.get(email="careful@example.com").email_verified
    assert sign_in(client, "careful@example.com").status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_social_login_off_lists_no_provider(client, auth_env):
    auth_env(ALLOW_SOCIAL_LOGIN="false", GITHUB_CLIENT_ID="id", GITHUB_CLIENT_SECRET="s")
    assert "Continue with GitHub" not in client.get(reverse("account_login")).content.decode()


def test_social_login_on_sends_the_configured_callback(client, auth_env):
    auth_env(
        ALLOW_SOCIAL_LOGIN="true",
        GITHUB_CLIENT_ID="gh-id",
        GITHUB_CLIENT_SECRET="gh-secret",
        GITHUB_CALLBACK_URL="/oauth/github/callback",
    )
    assert "Continue with GitHub" in client.get(reverse("account_login")).content.decode()
    response = client.post(reverse("github_login"))
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("https://github.com/login/oauth/authorize?")
    assert "redirect_uri=http%3A%2F%2Ftestserver%2Foauth%2Fgithub%2Fcallback" in location
    # The provider returns the user there, where the callback checks the state.
    back = client.get("/oauth/github/callback", {"code": "x", "state": "forged"})
    assert back.status_code == 302 and back["Location"] == reverse("account_login")


def test_failed_sign_ins_reach_the_guards_and_can_ban_the_ip(client, auth_env, user, settings):
    auth_env(LOGIN_MAX="50")
    settings.BAN_VIOLATIONS, settings.BAN_INTERVAL = True, 3
    for _ in range(3):
        sign_in(client, "alice@example.com", "wrong-password")
    response = client.get(reverse("account_login"))
    assert response.status_code == 403 and "You are banned until" in response.content.decode()


def test_repeated_failures_from_one_ip_are_throttled_across_accounts(client, auth_env, user):
    auth_env(LOGIN_MAX="3", LOGIN_WINDOW="5")
    for name in ("bob", "carol", "dave"):
        sign_in(client, f"{name}@example.com", "guess-1234")
    response = sign_in(client, "alice@example.com", "pw-alice-1")
    assert "Too many failed login attempts" in response.content.decode()


def github_sign_in(email: str, verified: bool = True, uid: int = 42):
    """A GitHub sign-in as allauth's callback hands it over, completed by allauth's flow.

    Returns (response, request): the flow's answer and the request that carries the
    session and the messages."""
    from allauth.core import context
    from allauth.socialaccount.adapter import get_adapter as get_social_adapter
    from allauth.socialaccount.helpers import complete_social_login
    from django.contrib.auth.middleware import AuthenticationMiddleware
    from django.contrib.messages.middleware import MessageMiddleware
    from django.contrib.sessions.middleware import SessionMiddleware
    from django.test import RequestFactory

    request = RequestFactory().get("/oauth/github/callback")
    for middleware in (SessionMiddleware, AuthenticationMiddleware, MessageMiddleware):
        middleware(lambda r: None).process_request(request)
    with context.request_context(request):
        provider = get_social_adapter().get_provider(request, "github")
        data = {
            "id": uid,
            "login": "octo",
            "name": "Octo Cat",
            "email": email,
            "emails": [{"email": email, "primary": True, "verified": verified}],
        }
        login = provider.sociallogin_from_response(request, data)
        login.state = {"process": "login"}
        return complete_social_login(request, login), request


@pytest.fixture
def github(auth_env):
    auth_env(
        ALLOW_SOCIAL_LOGIN="true",
        ALLOW_SOCIAL_REGISTRATION="true",
        GITHUB_CLIENT_ID="gh-id",
        GITHUB_CLIENT_SECRET="gh-secret",
    )


def shown(request) -> list[str]:
    return [str(message) for message in request._messages]


def test_social_sign_up_creates_the_user(github):
    response, request = github_sign_in("octo@example.com")
    assert response.status_code == 302 and response["Location"] == reverse("home")
    octo = User.objects.get(email="octo@example.com")
    assert (octo.provider, octo.email_verified) == ("github", True)
    assert request.user == octo


def test_social_sign_in_does_not_take_over_an_unverified_account(github):
    squatter = User.objects.create_user(email="octo@example.com", password="squatter-pass-1")
    response, request = github_sign_in("octo@example.com")
    assert response["Location"] == reverse("account_login")
    assert shown(request) == [refusal("GitHub")]
    squatter.refresh_from_db()
    assert squatter.check_password("squatter-pass-1")  # nothing changed, nothing linked
    assert not SocialAccount.objects.exists() and not request.user.is_authenticated


def test_social_sign_in_links_a_verified_account(github):
    local = User.objects.create_user(email="octo@example.com", email_verified=True)
    response, request = github_sign_in("octo@example.com")
    assert response["Location"] == reverse("home") and request.user == local
    assert SocialAccount.objects.get(provider="github", uid="42").user == local


def test_linking_a_verified_account_keeps_its_password(github):
    """An account verified as LibreChat records it (imported, LDAP, the admin's tick) has no
    verified allauth address; allauth would take it for a squatter's and wipe its password."""
    local = User.objects.create_user(
        email="octo@example.com", password="own-pass-12345", email_verified=True
    )
    response, request = github_sign_in("octo@example.com")
    assert response["Location"] == reverse("home") and request.user == local
    local.refresh_from_db()
    assert local.check_password("own-pass-12345")


def test_social_sign_in_does_not_take_over_through_an_added_unverified_address(github, user):
    User.objects.filter(pk=user.pk).update(email_verified=True)
    EmailAddress.objects.create(user=user, email="octo@example.com", verified=False)
    response, request = github_sign_in("octo@example.com")
    assert response["Location"] == reverse("account_login")
    assert shown(request) == [refusal("GitHub")]
    assert not SocialAccount.objects.exists() and not request.user.is_authenticated


def test_an_address_the_provider_has_not_verified_links_to_nothing(github):
    User.objects.create_user(email="octo@example.com", email_verified=True)
    response, request = github_sign_in("octo@example.com", verified=False)
    assert response["Location"] == reverse("socialaccount_signup")  # allauth asks for another
    assert not SocialAccount.objects.exists() and not request.user.is_authenticated


def test_social_first_sign_in_outside_the_allowed_domains_is_refused(github, allowed_domains):
    allowed_domains("parley.test")
    response, request = github_sign_in("octo@example.com")
    assert response["Location"] == reverse("account_login")
    assert shown(request) == [str(DOMAIN_REFUSED)]
    assert not User.objects.exists()


def test_social_first_sign_in_inside_the_allowed_domains_is_let_in(github, allowed_domains):
    allowed_domains("Example.com")
    response, _request = github_sign_in("octo@example.com")
    assert response["Location"] == reverse("home")
    assert User.objects.filter(email="octo@example.com").exists()
