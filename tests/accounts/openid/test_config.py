import pytest

from accounts.openid.config import claim_at, has_required_role, openid_config
from chatapp.conf.environment import EnvError

BASE = {"OPENID_CLIENT_ID": "parley", "OPENID_ISSUER": "https://id.example.com/realms/x"}


def test_off_without_client_and_issuer():
    assert openid_config({}) is None


def test_half_configured_names_the_missing_variable():
    with pytest.raises(EnvError, match="OPENID_ISSUER"):
        openid_config({"OPENID_CLIENT_ID": "parley"})


def test_defaults():
    config = openid_config(BASE)
    assert config.scope == ("openid", "profile", "email")
    assert config.role_token_kind == "id" and config.required_roles == ()
    assert config.jwks_cache_seconds == 600 and not config.auto_redirect
    assert config.provider_settings()["OAUTH_PKCE_ENABLED"] is True


def test_every_variable():
    config = openid_config(
        {
            **BASE,
            "OPENID_CLIENT_SECRET": "s",
            "OPENID_SCOPE": "openid email offline_access",
            "OPENID_REQUIRED_ROLE": "chat, admin",
            "OPENID_REQUIRED_ROLE_TOKEN_KIND": "access",
            "OPENID_REQUIRED_ROLE_PARAMETER_PATH": "resource_access.parley.roles",
            "OPENID_BUTTON_LABEL": "Company SSO",
            "OPENID_IMAGE_URL": "https://example.com/sso.svg",
            "OPENID_AUTO_REDIRECT": "true",
            "OPENID_USE_END_SESSION_ENDPOINT": "true",
            "OPENID_JWKS_URL_CACHE_ENABLED": "false",
            "OPENID_JWKS_URL_CACHE_TIME": "60000",
        }
    )
    assert config.required_roles == ("chat", "admin")
    assert config.role_path == ("resource_access", "parley", "roles")
    assert config.role_token_kind == "access"
    assert config.jwks_cache_seconds == 0
    assert config.auto_redirect and config.use_end_session
    assert config.provider_settings()["APPS"][0]["name"] == "Company SSO"


def test_required_role_needs_a_path_and_a_known_token_kind():
    with pytest.raises(EnvError, match="OPENID_REQUIRED_ROLE_PARAMETER_PATH"):
        openid_config({**BASE, "OPENID_REQUIRED_ROLE": "chat"})
    with pytest.raises(EnvError, match="OPENID_REQUIRED_ROLE_TOKEN_KIND"):
        openid_config({**BASE, "OPENID_REQUIRED_ROLE_TOKEN_KIND": "refresh"})


def test_claim_at_follows_a_dotted_path():
    claims = {"realm_access": {"roles": ["a"]}, "flat": "x"}
    assert claim_at(claims, ("realm_access", "roles")) == ["a"]
    assert claim_at(claims, ("realm_access", "missing")) is None
    assert claim_at(claims, ("flat", "deeper")) is None


@pytest.mark.parametrize(
    ("held", "allowed"),
    [(["chat"], True), (["other"], False), ("chat", True), (None, False), ({"chat": 1}, False)],
)
def test_has_required_role(held, allowed):
    config = openid_config(
        {**BASE, "OPENID_REQUIRED_ROLE": "chat", "OPENID_REQUIRED_ROLE_PARAMETER_PATH": "a.roles"}
    )
    claims = {"a": {"roles": held}} if held is not None else {}
    assert has_required_role(claims, config) is allowed
