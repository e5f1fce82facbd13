"""allauth views for the `openid` provider: discovery, verified ID tokens, required roles."""

from __future__ import annotations

from typing import Any

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from allauth.utils import build_absolute_uri
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from requests import RequestException

from accounts.adapter import refuse_sign_in
from accounts.openid import tokens
from accounts.openid.config import has_required_role
from accounts.openid.session import ID_TOKEN_SESSION_KEY


class RoleRequired(PermissionDenied):
    user_message = _("Your account does not have the role this site requires.")


class OpenIDAdapter(OpenIDConnectOAuth2Adapter):
    def __init__(self, request: HttpRequest) -> None:
        super().__init__(request, "openid")

    @property
    def openid_config(self) -> dict[str, Any]:
        try:
            return tokens.discovery(settings.OPENID.issuer)
        except (RequestException, ValueError) as error:
            raise ImmediateHttpResponse(
                refuse_sign_in(self.request, _("The sign-in provider cannot be reached."), error)
            ) from error

    def get_callback_url(self, request: HttpRequest, app) -> str:
        return build_absolute_uri(request, reverse("openid_callback"))

    def complete_login(self, request: HttpRequest, app, token, **kwargs):
        config = settings.OPENID
        id_token = kwargs["response"].get("id_token")
        if not id_token:
            raise OAuth2Error("the provider returned no ID token")
        claims = tokens.verify_id_token(
            id_token,
            jwks_url=self.openid_config["jwks_uri"],
            issuer=self.openid_config["issuer"],
            audience=app.client_id,
            cache_seconds=config.jwks_cache_seconds,
        )
        self._check_role(claims, token.token)
        userinfo = {}
        # The verified ID token is enough when it names the user's e-mail; the
        # userinfo endpoint may refuse an access token issued for another resource.
        if "email" not in claims and self.openid_config.get("userinfo_endpoint"):
            userinfo = self._fetch_user_info(token.token)
        request.session[ID_TOKEN_SESSION_KEY] = id_token  # for end-session on sign-out
        data = {"userinfo": {**claims, **userinfo}, "id_token": claims}
        return self.get_provider().sociallogin_from_response(request, data)

    def _check_role(self, id_claims: dict[str, Any], access_token: str) -> None:
        """OPENID_REQUIRED_ROLE, read from the ID token or the access token's claims."""
        config = settings.OPENID
        if not config.required_roles:
            return
        if config.role_token_kind == "id":
            claims = id_claims
        else:
            claims = tokens.access_token_claims(access_token)
        if not has_required_role(claims, config):
            raise RoleRequired()


oauth2_login = OAuth2LoginView.adapter_view(OpenIDAdapter)
oauth2_callback = OAuth2CallbackView.adapter_view(OpenIDAdapter)
