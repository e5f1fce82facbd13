"""The `openid` provider (LibreChat's name for it): allauth's OpenID Connect, one app."""

from __future__ import annotations

from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode

from accounts.openid.views import OpenIDAdapter


class OpenIDProvider(OpenIDConnectProvider):
    id = "openid"
    name = "OpenID Connect"
    oauth2_adapter_class = OpenIDAdapter
    pkce_enabled_default = True

    def get_login_url(self, request: HttpRequest, **kwargs) -> str:
        url = reverse("openid_login")
        return f"{url}?{urlencode(kwargs)}" if kwargs else url

    def get_callback_url(self) -> str:
        return reverse("openid_callback")

    def get_oauth2_adapter(self, request: HttpRequest) -> OpenIDAdapter:
        return OpenIDAdapter(request)


provider_classes = [OpenIDProvider]
