from django.conf import settings
from django.http import HttpRequest

from accounts import terms, turnstile


def sign_in(request: HttpRequest) -> dict:
    """What the sign-in and account pages show: switches, e-mail and OpenID button."""
    openid = settings.OPENID
    return {
        "allow_email_login": settings.ALLOW_EMAIL_LOGIN,
        "allow_registration": settings.ALLOW_REGISTRATION,
        "allow_password_reset": settings.ALLOW_PASSWORD_RESET and settings.ALLOW_EMAIL_LOGIN,
        "allow_account_deletion": settings.ALLOW_ACCOUNT_DELETION,
        "email_enabled": settings.EMAIL_ENABLED,
        "unverified_login_allowed": settings.ALLOW_UNVERIFIED_EMAIL_LOGIN,
        "social_enabled": bool(settings.SOCIALACCOUNT_PROVIDERS),
        "ldap_enabled": settings.LDAP_ENABLED,
        "ldap_uses_username": settings.LDAP_ENABLED and settings.LDAP_LOGIN_USES_USERNAME,
        "openid_image_url": openid.image_url if openid else "",
        "turnstile": turnstile.widget(),
        "turnstile_script": turnstile.SCRIPT,
    }


def interface(request: HttpRequest) -> dict:
    """The terms and privacy links, the terms modal while required, and the welcome."""
    user = request.user
    signed_in = user.is_authenticated
    return {
        "policy": terms.policy(),
        "terms_required": signed_in and terms.required(user),
        "welcome": terms.welcome_for(user) if signed_in else "",
    }
