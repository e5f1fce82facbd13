"""registration.allowedDomains: LibreChat's isEmailDomainAllowed, read from librechat.yaml."""

import pytest

from accounts.registration import allowed_domains, domain_allowed


@pytest.mark.parametrize(
    ("email", "allowed", "expected"),
    [
        ("ada@example.com", None, True),  # nothing listed: every address
        ("ada@example.com", [], True),
        ("ada@example.com", ["example.com"], True),
        ("Ada@EXAMPLE.com", ["Example.COM"], True),  # the domain, case-insensitively
        ("ada@mail.example.com", ["example.com"], False),  # a subdomain is another domain
        ("ada@example.com.evil.test", ["example.com"], False),
        ("ada@other.test", ["example.com", "parley.test"], False),
        ("ada@parley.test", ["example.com", "parley.test"], True),
        ("example.com", ["example.com"], False),  # no @: no domain
        ("", ["example.com"], False),
    ],
)
def test_domain_allowed(email, allowed, expected):
    assert domain_allowed(email, () if allowed is None else allowed) is expected


def test_the_list_comes_from_librechat_yaml(allowed_domains):
    allowed_domains("Example.com", "parley.test")
    assert domain_allowed("bob@EXAMPLE.COM") and domain_allowed("grace@parley.test")
    assert not domain_allowed("eve@evil.test")


def test_an_empty_list_allows_everyone(allowed_domains):
    allowed_domains()
    assert domain_allowed("eve@evil.test")


def test_without_a_config_file_everyone_is_allowed(settings, tmp_path):
    from endpoints import config

    settings.CONFIG_PATH = str(tmp_path / "absent.yaml")
    config.current.cache_clear()
    try:
        assert allowed_domains() == () and domain_allowed("eve@evil.test")
    finally:
        config.current.cache_clear()


# --- registration.socialLogins: which social buttons show, in what order --------------


def test_social_order_follows_librechats_default_without_a_list():
    from accounts.registration import social_order

    configured = ["github", "openid", "google", "apple"]
    assert social_order(configured, None) == ["google", "openid", "github", "apple"]
    assert social_order(configured, ["apple", "github", "saml"]) == ["apple", "github"]
    assert social_order(configured, []) == []


@pytest.mark.django_db
def test_the_sign_in_page_shows_the_listed_buttons_in_order(client, auth_env, settings, tmp_path):
    from django.urls import reverse

    from endpoints import config

    auth_env(
        ALLOW_SOCIAL_LOGIN="true",
        GITHUB_CLIENT_ID="gh", GITHUB_CLIENT_SECRET="s",
        GOOGLE_CLIENT_ID="go", GOOGLE_CLIENT_SECRET="s",
        DISCORD_CLIENT_ID="di", DISCORD_CLIENT_SECRET="s",
    )  # fmt: skip
    path = tmp_path / "librechat.yaml"
    path.write_text("version: 1.3.14\nregistration:\n  socialLogins: [discord, github]\n")
    settings.CONFIG_PATH = str(path)
    config.current.cache_clear()
    try:
        page = client.get(reverse("account_login")).content.decode()
    finally:
        config.current.cache_clear()
    assert "Continue with Google" not in page
    assert page.index("Continue with Discord") < page.index("Continue with GitHub")
