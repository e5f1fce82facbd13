"""Account URLs: Parley's pages, allauth's, and the OAuth callbacks at *_CALLBACK_URL paths."""

from allauth.account import views as allauth_views
from allauth.socialaccount import providers
from django.conf import settings
from django.urls import include, path, re_path
from django.utils.module_loading import import_string

from accounts import views

reset = allauth_views.password_reset
reset_from_key = allauth_views.password_reset_from_key


def callback_routes() -> list:
    """One route per enabled provider at its *_CALLBACK_URL path, named like allauth's
    own callback: defined after allauth's, it is the one `reverse` returns, so the
    redirect_uri sent to the provider is the configured path."""
    routes = []
    for provider_id, callback in settings.SOCIAL_CALLBACK_PATHS.items():
        package = providers.registry.get_class(provider_id).get_package()
        view = import_string(f"{package}.views.oauth2_callback")
        routes.append(path(callback.lstrip("/"), view, name=f"{provider_id}_callback"))
    return routes


urlpatterns = [
    path("accounts/login/", views.login, name="account_login"),
    path("accounts/signup/", views.signup, name="account_signup"),
    path(
        "accounts/password/reset/",
        views.when_allowed("ALLOW_PASSWORD_RESET", reset),
        name="account_reset_password",
    ),
    re_path(
        r"^accounts/password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
        views.when_allowed("ALLOW_PASSWORD_RESET", reset_from_key),
        name="account_reset_password_from_key",
    ),
    path("accounts/profile/", views.profile, name="account_profile"),
    path("accounts/api-keys/", views.api_keys, name="account_api_keys"),
    path("accounts/usage/", views.usage, name="account_usage"),
    path(
        "accounts/api-keys/<int:key_id>/revoke/",
        views.revoke_api_key,
        name="account_revoke_api_key",
    ),
    path("accounts/balance/", views.balance_fragment, name="account_balance"),
    path("accounts/delete/", views.delete_account, name="account_delete"),
    path("accounts/keep-alive/", views.keep_alive, name="account_keep_alive"),
    path("accounts/terms/accept/", views.accept_terms, name="account_accept_terms"),
    path(
        "accounts/sign-out-everywhere/",
        views.sign_out_everywhere,
        name="account_sign_out_everywhere",
    ),
    path("accounts/", include("allauth.urls")),
    *callback_routes(),
]
