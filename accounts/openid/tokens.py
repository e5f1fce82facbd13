"""Discovery and ID-token verification, with the JWKS cached for OPENID_JWKS_URL_CACHE_TIME."""

from __future__ import annotations

from typing import Any

import jwt
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.internal.jwtkit import lookup_kid_jwk
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from django.core.cache import cache

DISCOVERY_SECONDS = 3600


def _get_json(url: str) -> dict[str, Any]:
    with get_adapter().get_requests_session() as session:
        response = session.get(url, timeout=10)
        response.raise_for_status()
        return response.json()


def discovery(issuer: str) -> dict[str, Any]:
    """The issuer's /.well-known/openid-configuration, cached for an hour."""
    key = f"openid:discovery:{issuer}"
    document = cache.get(key)
    if document is None:
        document = _get_json(issuer.rstrip("/") + "/.well-known/openid-configuration")
        cache.set(key, document, DISCOVERY_SECONDS)
    return document


def signing_keys(jwks_url: str, cache_seconds: int, refresh: bool = False) -> dict[str, Any]:
    """The provider's JWKS: cached when cache_seconds > 0, fetched every time otherwise."""
    key = f"openid:jwks:{jwks_url}"
    keys = None if refresh or not cache_seconds else cache.get(key)
    if keys is None:
        keys = _get_json(jwks_url)
        if cache_seconds:
            cache.set(key, keys, cache_seconds)
    return keys


def _key_for(token: str, jwks_url: str, cache_seconds: int) -> Any:
    kid = jwt.get_unverified_header(token).get("kid")
    keys = signing_keys(jwks_url, cache_seconds)
    found = lookup_kid_jwk(keys, kid)
    if found is None:  # the provider may have rotated its keys since we cached them
        found = lookup_kid_jwk(signing_keys(jwks_url, cache_seconds, refresh=True), kid)
    if found is None:
        raise OAuth2Error(f"no signing key {kid!r} in the provider's JWKS")
    return found


def verify_id_token(
    token: str, *, jwks_url: str, issuer: str, audience: str, cache_seconds: int
) -> dict[str, Any]:
    """The ID token's claims after checking signature, issuer, audience and expiry."""
    try:
        header = jwt.get_unverified_header(token)
        key = _key_for(token, jwks_url, cache_seconds)
        return jwt.decode(
            token,
            key=key,
            algorithms=[header.get("alg", "RS256")],
            audience=audience,
            issuer=issuer,
            options={"require": ["exp", "iat", "sub"]},
        )
    except jwt.PyJWTError as error:
        raise OAuth2Error(f"invalid ID token: {error}") from error


def access_token_claims(token: str) -> dict[str, Any]:
    """Claims of a JWT access token received straight from the token endpoint.

    As in LibreChat, the signature is not checked: the token came over the
    back channel from the provider itself (OpenID Connect Core §3.1.3.7).
    """
    try:
        return jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as error:
        raise OAuth2Error("the access token is not a JWT, so it carries no roles") from error
