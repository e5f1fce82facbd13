"""OpenID Connect sign-in: an allauth provider with LibreChat's OPENID_* behaviour."""
