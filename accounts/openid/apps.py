from django.apps import AppConfig


class OpenIDConfig(AppConfig):
    name = "accounts.openid"
    label = "accounts_openid"
    verbose_name = "OpenID Connect"
