"""OAuth providers from LibreChat's variables: each is on only when its variables are set.

`providers(env)` builds allauth's SOCIALACCOUNT_PROVIDERS; `callback_paths`
maps each enabled provider to the path of its *_CALLBACK_URL variable, which
accounts/urls.py serves (LibreChat's `/oauth/<provider>/callback` by default).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from chatapp.conf import environment as parse
from chatapp.conf.environment import EnvError

# provider id → (variables that must all be set, scopes)
OAUTH_PROVIDERS: dict[str, tuple[tuple[str, ...], list[str]]] = {
    "github": (("GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET"), ["read:user", "user:email"]),
    "google": (("GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET"), ["openid", "profile", "email"]),
    "discord": (("DISCORD_CLIENT_ID", "DISCORD_CLIENT_SECRET"), ["identify", "email"]),
    "facebook": (("FACEBOOK_CLIENT_ID", "FACEBOOK_CLIENT_SECRET"), ["email", "public_profile"]),
    "apple": (
        ("APPLE_CLIENT_ID", "APPLE_TEAM_ID", "APPLE_KEY_ID", "APPLE_PRIVATE_KEY_PATH"),
        ["name", "email"],
    ),
}
CALLBACK_PROVIDERS = (*OAUTH_PROVIDERS, "openid")


def _configured(env: Mapping[str, str], names: tuple[str, ...]) -> bool:
    present = [name for name in names if parse.text(env, name)]
    if present and len(present) < len(names):
        missing = next(name for name in names if name not in present)
        raise EnvError(missing, "", f"a value because {present[0]} is set")
    return bool(present)


def read_key_file(name: str, path: str) -> str:
    """The text of the key file a variable names (APPLE_PRIVATE_KEY_PATH)."""
    try:
        return Path(path).read_text()
    except OSError as error:
        raise EnvError(name, path, f"a readable file ({error.strerror})") from None


def _app(env: Mapping[str, str], provider: str) -> dict[str, Any]:
    if provider == "apple":
        key_path = parse.text(env, "APPLE_PRIVATE_KEY_PATH")
        return {
            "client_id": parse.text(env, "APPLE_CLIENT_ID"),
            "secret": parse.text(env, "APPLE_KEY_ID"),
            "key": parse.text(env, "APPLE_TEAM_ID"),
            "settings": {"certificate_key": read_key_file("APPLE_PRIVATE_KEY_PATH", key_path)},
        }
    prefix = provider.upper()
    return {
        "client_id": parse.text(env, f"{prefix}_CLIENT_ID"),
        "secret": parse.text(env, f"{prefix}_CLIENT_SECRET"),
        "key": "",
    }


def providers(env: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """allauth provider settings for every OAuth provider whose variables are set."""
    result: dict[str, dict[str, Any]] = {}
    for provider, (names, scope) in OAUTH_PROVIDERS.items():
        if _configured(env, names):
            result[provider] = {"APPS": [_app(env, provider)], "SCOPE": scope}
    enterprise = parse.url(env, "GITHUB_ENTERPRISE_BASE_URL")
    if enterprise and "github" in result:
        result["github"]["GITHUB_URL"] = enterprise
    if "google" in result:
        result["google"]["OAUTH_PKCE_ENABLED"] = True
    return result


def user_agent(env: Mapping[str, str]) -> str:
    """The User-Agent of outgoing OAuth requests (GitHub Enterprise may require its own)."""
    return parse.text(env, "GITHUB_ENTERPRISE_USER_AGENT", "Parley")


def callback_paths(
    env: Mapping[str, str], enabled: Mapping[str, Any], script_name: str = ""
) -> dict[str, str]:
    """provider id → callback path, from *_CALLBACK_URL (a path or a full URL).

    The path is inside Parley: a full URL's `script_name` (DOMAIN_SERVER's path) is left
    out, as the proxy strips it and `reverse` puts it back in the redirect_uri.
    """
    paths = {}
    for provider in CALLBACK_PROVIDERS:
        if provider not in enabled:
            continue
        name = f"{provider.upper()}_CALLBACK_URL"
        raw = parse.text(env, name, f"/oauth/{provider}/callback")
        path = "/" + raw.split("://", 1)[-1].split("/", 1)[-1] if "://" in raw else raw
        if script_name and path.startswith(f"{script_name}/"):
            path = path.removeprefix(script_name)
        if not path.startswith("/") or "?" in path or "#" in path:
            raise EnvError(name, raw, "a path such as /oauth/github/callback")
        paths[provider] = path
    return paths
