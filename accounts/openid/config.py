"""OPENID_* variables → an `OpenIDConfig`; pure, so tests pass plain dicts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chatapp.conf import environment as parse
from chatapp.conf.environment import EnvError

TOKEN_KINDS = ("id", "access")


@dataclass(frozen=True)
class OpenIDConfig:
    client_id: str
    client_secret: str
    issuer: str
    scope: tuple[str, ...]
    required_roles: tuple[str, ...]
    role_token_kind: str  # "id" or "access": which token's claims hold the roles
    role_path: tuple[str, ...]  # dotted claim path, split
    button_label: str
    image_url: str
    auto_redirect: bool
    use_end_session: bool
    jwks_cache_seconds: int  # 0: fetch the JWKS for every sign-in

    def provider_settings(self) -> dict[str, Any]:
        """allauth's SOCIALACCOUNT_PROVIDERS entry for the `openid` provider."""
        app = {
            "client_id": self.client_id,
            "secret": self.client_secret,
            "key": "",
            "name": self.button_label,
            "settings": {"server_url": self.issuer},
        }
        return {"APPS": [app], "SCOPE": list(self.scope), "OAUTH_PKCE_ENABLED": True}


def _role_settings(env: Mapping[str, str]) -> tuple[tuple[str, ...], str, tuple[str, ...]]:
    listed = parse.text(env, "OPENID_REQUIRED_ROLE").split(",")
    roles = tuple(role.strip() for role in listed if role.strip())
    kind = parse.text(env, "OPENID_REQUIRED_ROLE_TOKEN_KIND", "id").lower()
    if kind not in TOKEN_KINDS:
        raise EnvError("OPENID_REQUIRED_ROLE_TOKEN_KIND", kind, "id or access")
    path = parse.text(env, "OPENID_REQUIRED_ROLE_PARAMETER_PATH")
    if roles and not path:
        raise EnvError(
            "OPENID_REQUIRED_ROLE_PARAMETER_PATH", "", "a claim path (e.g. realm_access.roles)"
        )
    return roles, kind, tuple(part for part in path.split(".") if part)


def openid_config(env: Mapping[str, str]) -> OpenIDConfig | None:
    """The OpenID Connect settings, or None when OPENID_CLIENT_ID/OPENID_ISSUER are unset."""
    client_id = parse.text(env, "OPENID_CLIENT_ID")
    issuer = parse.url(env, "OPENID_ISSUER")
    if not (client_id or issuer):
        return None
    if not client_id or not issuer:
        missing = "OPENID_ISSUER" if client_id else "OPENID_CLIENT_ID"
        raise EnvError(missing, "", "a value when the other OPENID_* variables are set")
    roles, kind, path = _role_settings(env)
    cache_on = parse.boolean(env, "OPENID_JWKS_URL_CACHE_ENABLED", default=True)
    cache_ms = parse.milliseconds(env, "OPENID_JWKS_URL_CACHE_TIME", 600000)
    return OpenIDConfig(
        client_id=client_id,
        client_secret=parse.text(env, "OPENID_CLIENT_SECRET"),
        issuer=issuer,
        scope=tuple(parse.text(env, "OPENID_SCOPE", "openid profile email").split()),
        required_roles=roles,
        role_token_kind=kind,
        role_path=path,
        button_label=parse.text(env, "OPENID_BUTTON_LABEL", "OpenID"),
        image_url=parse.text(env, "OPENID_IMAGE_URL"),
        auto_redirect=parse.boolean(env, "OPENID_AUTO_REDIRECT"),
        use_end_session=parse.boolean(env, "OPENID_USE_END_SESSION_ENDPOINT"),
        jwks_cache_seconds=cache_ms // 1000 if cache_on else 0,
    )


def claim_at(claims: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    """The value at a dotted path in token claims, or None when any step is missing."""
    value: Any = claims
    for step in path:
        if not isinstance(value, Mapping) or step not in value:
            return None
        value = value[step]
    return value


def has_required_role(claims: Mapping[str, Any], config: OpenIDConfig) -> bool:
    """True when no role is required or the claim at the path holds one of the roles."""
    if not config.required_roles:
        return True
    held = claim_at(claims, config.role_path)
    if isinstance(held, str):
        held = [held]
    if not isinstance(held, list | tuple):
        return False
    return any(role in held for role in config.required_roles)
