"""The authorisation-code flow with PKCE against a real OpenID provider on loopback."""

from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse

from accounts.linking import refusal
from accounts.models import User
from accounts.registration import DOMAIN_REFUSED
from tests.accounts.servers.openid import PARLEY, Browser

pytestmark = pytest.mark.django_db
ROLE = {
    "OPENID_REQUIRED_ROLE": "parley-user",
    "OPENID_REQUIRED_ROLE_PARAMETER_PATH": "realm_access.roles",
}


def sign_in(client, login: str, browser: Browser | None = None):
    """Start at Parley, sign in on the provider, come back to Parley's callback."""
    start = client.post(reverse("openid_login"))
    assert start.status_code == 302, start
    callback = (browser or Browser()).sign_in(start["Location"], login)
    assert callback.startswith(f"{PARLEY}/oauth/openid/callback?")
    return client.get(callback[len(PARLEY) :])


def page_after(client, response) -> str:
    assert response.status_code == 302
    return client.get(response["Location"]).content.decode()


@pytest.fixture(scope="module")
def provider():
    """One provider for the tests that need no special mode (each has its own browser)."""
    from tests.accounts.servers import openid

    server = openid.start()
    yield server
    server.stop()


def test_code_flow_with_pkce_creates_and_signs_in_the_user(client, provider, openid_env):
    openid_env(provider.issuer)
    start = client.post(reverse("openid_login"))
    query = parse_qs(urlsplit(start["Location"]).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]
    assert query["redirect_uri"] == [f"{PARLEY}/oauth/openid/callback"]
    assert set(query["scope"][0].split()) == {"openid", "profile", "email", "roles"}
    callback = Browser().sign_in(start["Location"], "ada")
    response = client.get(callback[len(PARLEY) :])
    assert response.status_code == 302 and response["Location"] == reverse("home")
    ada = User.objects.get(email="ada@example.com")
    assert (ada.provider, ada.name, ada.username, ada.email_verified) == (
        "openid",
        "Ada Lovelace",
        "ada",
        True,
    )
    assert ada.role == "admin"  # the first account
    assert client.get(reverse("home")).status_code == 200


def test_button_label_and_image(client, provider, openid_env):
    openid_env(
        provider.issuer, OPENID_BUTTON_LABEL="Company SSO", OPENID_IMAGE_URL="/static/sso.svg"
    )
    page = client.get(reverse("account_login")).content.decode()
    assert "Continue with Company SSO" in page and 'src="/static/sso.svg"' in page


@pytest.mark.parametrize("kind", ["id", "access"])
def test_required_role_lets_a_holder_in(client, start_openid_provider, openid_env, kind):
    provider = start_openid_provider(access_token_jwt=kind == "access")
    openid_env(provider.issuer, OPENID_REQUIRED_ROLE_TOKEN_KIND=kind, **ROLE)
    assert sign_in(client, "ada")["Location"] == reverse("home")
    assert User.objects.filter(email="ada@example.com").exists()


@pytest.mark.parametrize("kind", ["id", "access"])
def test_required_role_keeps_others_out(client, start_openid_provider, openid_env, kind):
    provider = start_openid_provider(access_token_jwt=kind == "access")
    openid_env(provider.issuer, OPENID_REQUIRED_ROLE_TOKEN_KIND=kind, **ROLE)
    page = page_after(client, sign_in(client, "bob"))
    assert "Your account does not have the role this site requires." in page
    assert not User.objects.filter(email="bob@example.com").exists()
    assert client.get(reverse("home")).status_code == 302


def test_role_in_an_opaque_access_token_is_refused_clearly(client, provider, openid_env):
    openid_env(provider.issuer, OPENID_REQUIRED_ROLE_TOKEN_KIND="access", **ROLE)
    page = page_after(client, sign_in(client, "ada"))
    assert "Sign-in with" in page and "failed" in page
    assert not User.objects.filter(email="ada@example.com").exists()


def test_social_registration_off_refuses_a_new_user(client, provider, openid_env):
    openid_env(provider.issuer, ALLOW_SOCIAL_REGISTRATION="false")
    page = page_after(client, sign_in(client, "ada"))
    assert "Registration through this provider is disabled" in page
    assert not User.objects.filter(email="ada@example.com").exists()


def test_social_registration_off_still_signs_in_an_existing_user(client, provider, openid_env):
    User.objects.create_user(email="ada@example.com", password="pw-ada-12345", email_verified=True)
    openid_env(provider.issuer, ALLOW_SOCIAL_REGISTRATION="false")
    assert sign_in(client, "ada")["Location"] == reverse("home")
    assert User.objects.filter(email="ada@example.com").count() == 1


def test_social_login_off_turns_openid_off(client, provider, openid_env):
    openid_env(provider.issuer, ALLOW_SOCIAL_LOGIN="false")
    assert "Continue with" not in client.get(reverse("account_login")).content.decode()
    assert client.post("/accounts/openid/login/").status_code == 404


def test_auto_redirect_goes_straight_to_the_provider(client, provider, openid_env):
    openid_env(provider.issuer, OPENID_AUTO_REDIRECT="true")
    response = client.get(reverse("account_login"))
    assert response.status_code == 302
    assert response["Location"].startswith(f"{provider.issuer}/auth?")
    assert client.get(reverse("account_login"), {"local": "1"}).status_code == 200


def test_sign_out_ends_the_provider_session(client, provider, openid_env):
    openid_env(provider.issuer, OPENID_USE_END_SESSION_ENDPOINT="true")
    browser = Browser()
    sign_in(client, "ada", browser)
    response = client.post(reverse("account_logout"))
    end = response["Location"]
    assert end.startswith(f"{provider.issuer}/session/end?")
    assert parse_qs(urlsplit(end).query)["post_logout_redirect_uri"] == [
        f"{PARLEY}{reverse('account_login')}"
    ]
    assert client.get(reverse("home")).status_code == 302  # signed out of Parley
    confirm = browser.go(end)
    action = confirm.text.split('action="', 1)[1].split('"', 1)[0]
    xsrf = confirm.text.split('name="xsrf" value="', 1)[1].split('"', 1)[0]
    back = browser.go(urljoin(provider.issuer, action), {"xsrf": xsrf, "logout": "yes"})
    assert back == f"{PARLEY}{reverse('account_login')}"
    # The provider forgot the user: the next sign-in asks for a login again.
    again = browser.go(client.post(reverse("openid_login"))["Location"])
    assert 'name="login"' in again.text


def test_sign_out_without_end_session_stays_at_parley(client, provider, openid_env):
    openid_env(provider.issuer)
    sign_in(client, "ada")
    assert client.post(reverse("account_logout"))["Location"] == reverse("account_login")


@pytest.mark.parametrize(("cached", "fetches"), [("true", 1), ("false", 2)])
def test_jwks_cache(start_openid_provider, openid_env, client, cached, fetches):
    provider = start_openid_provider()
    openid_env(provider.issuer, OPENID_JWKS_URL_CACHE_ENABLED=cached)
    for _ in range(2):
        sign_in(client, "ada")
        client.post(reverse("account_logout"))
    assert provider.stats() == {"jwks": fetches, "token": 2}


def test_a_bad_id_token_is_refused(client, start_openid_provider, openid_env):
    provider = start_openid_provider(tamper_id_token=True)
    openid_env(provider.issuer)
    page = page_after(client, sign_in(client, "ada"))
    assert "failed. Please try again." in page
    assert not User.objects.filter(email="ada@example.com").exists()


def test_an_unreachable_provider_is_explained(client, openid_env):
    openid_env("http://127.0.0.1:9", OPENID_AUTO_REDIRECT="true")
    response = client.get(reverse("account_login"))  # auto-redirect tries the provider
    assert response.status_code == 302 and response["Location"] == reverse("account_login")
    page = client.get(response["Location"]).content.decode()  # no loop: the form is shown
    assert "The sign-in provider cannot be reached." in page
    assert 'name="password"' in page


def test_an_unverified_local_account_with_the_same_email_is_not_taken_over(
    client, provider, openid_env
):
    squatter = User.objects.create_user(email="ada@example.com", password="squatter-pass-1")
    openid_env(provider.issuer)
    page = page_after(client, sign_in(client, "ada"))
    assert refusal("OpenID") in page
    squatter.refresh_from_db()
    assert not SocialAccount.objects.exists() and squatter.check_password("squatter-pass-1")
    assert client.get(reverse("home")).status_code == 302  # not signed in


def test_a_verified_local_account_is_linked_and_then_found_by_identity(
    client, provider, openid_env
):
    local = User.objects.create_user(email="ada@example.com", email_verified=True)
    openid_env(provider.issuer)
    assert sign_in(client, "ada")["Location"] == reverse("home")
    [linked] = SocialAccount.objects.all()
    assert (linked.user, linked.provider) == (local, "openid")
    client.post(reverse("account_logout"))
    User.objects.filter(pk=local.pk).update(email="ada.lovelace@example.com")
    assert sign_in(client, "ada")["Location"] == reverse("home")  # by the OpenID subject
    assert User.objects.count() == 1


def test_first_sign_in_outside_the_allowed_domains_is_refused(
    client, provider, openid_env, allowed_domains
):
    allowed_domains("parley.test")
    openid_env(provider.issuer)
    page = page_after(client, sign_in(client, "ada"))
    assert str(DOMAIN_REFUSED) in page
    assert not User.objects.exists()


def test_first_sign_in_inside_the_allowed_domains_creates_the_user(
    client, provider, openid_env, allowed_domains
):
    allowed_domains("EXAMPLE.COM")
    openid_env(provider.issuer)
    assert sign_in(client, "ada")["Location"] == reverse("home")
    assert User.objects.filter(email="ada@example.com").exists()
