import pytest

from accounts.env import auth_settings
from accounts.social import callback_paths, providers
from chatapp.conf.environment import EnvError


def test_no_provider_without_variables():
    assert providers({}) == {}


def test_each_provider_needs_all_its_variables():
    with pytest.raises(EnvError, match="GITHUB_CLIENT_SECRET"):
        providers({"GITHUB_CLIENT_ID": "id"})


def test_github_enterprise_and_callback_paths():
    env = {
        "GITHUB_CLIENT_ID": "id",
        "GITHUB_CLIENT_SECRET": "secret",
        "GITHUB_ENTERPRISE_BASE_URL": "https://github.example.com",
        "GITHUB_CALLBACK_URL": "/oauth/gh/back",
        "DISCORD_CLIENT_ID": "d",
        "DISCORD_CLIENT_SECRET": "s",
    }
    apps = providers(env)
    assert set(apps) == {"github", "discord"}
    assert apps["github"]["GITHUB_URL"] == "https://github.example.com"
    assert apps["github"]["APPS"][0]["client_id"] == "id"
    paths = callback_paths(env, apps)
    assert paths == {"github": "/oauth/gh/back", "discord": "/oauth/discord/callback"}


def test_callback_url_may_be_a_full_url():
    env = {"GOOGLE_CALLBACK_URL": "https://chat.example.com/oauth/google/callback"}
    assert callback_paths(env, {"google": {}}) == {"google": "/oauth/google/callback"}


def test_a_full_callback_url_under_the_sub_path_is_a_path_inside_it():
    env = {"GOOGLE_CALLBACK_URL": "https://example.com/chat/oauth/google/callback"}
    paths = callback_paths(env, {"google": {}}, script_name="/chat")
    assert paths == {"google": "/oauth/google/callback"}  # reverse() puts /chat back
    relative = callback_paths({"GOOGLE_CALLBACK_URL": "/oauth/g/cb"}, {"google": {}}, "/chat")
    assert relative == {"google": "/oauth/g/cb"}


def test_apple_reads_its_private_key(tmp_path):
    key = tmp_path / "AuthKey.p8"
    key.write_text("-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n")
    env = {
        "APPLE_CLIENT_ID": "com.example.chat",
        "APPLE_TEAM_ID": "TEAM",
        "APPLE_KEY_ID": "KEY",
        "APPLE_PRIVATE_KEY_PATH": str(key),
    }
    app = providers(env)["apple"]["APPS"][0]
    assert (app["client_id"], app["key"], app["secret"]) == ("com.example.chat", "TEAM", "KEY")
    assert "BEGIN PRIVATE KEY" in app["settings"]["certificate_key"]


def test_a_missing_apple_key_file_names_the_variable(tmp_path):
    env = {
        "APPLE_CLIENT_ID": "c",
        "APPLE_TEAM_ID": "t",
        "APPLE_KEY_ID": "k",
        "APPLE_PRIVATE_KEY_PATH": str(tmp_path / "missing.p8"),
    }
    with pytest.raises(EnvError, match="APPLE_PRIVATE_KEY_PATH"):
        providers(env)


def test_social_switch_off_hides_every_provider():
    env = {"GOOGLE_CLIENT_ID": "g", "GOOGLE_CLIENT_SECRET": "s"}
    assert auth_settings(env, domain_server="http://x")["SOCIALACCOUNT_PROVIDERS"] == {}
    on = auth_settings({**env, "ALLOW_SOCIAL_LOGIN": "true"}, domain_server="http://x")
    assert set(on["SOCIALACCOUNT_PROVIDERS"]) == {"google"}
