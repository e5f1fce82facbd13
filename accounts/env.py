"""Sign-in settings from LibreChat's variables: the ALLOW_* switches, sessions, e-mail.

`auth_settings(env, ...)` returns a dict of Django settings that `settings.py`
merges in one call; it is pure, so tests feed it plain dicts. Social providers,
OpenID Connect and LDAP have their own modules (social.py, openid/config.py,
ldap.py) and are assembled here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from accounts import ldap, social
from accounts.openid import config as openid
from chatapp.conf import environment as parse
from chatapp.conf.environment import EnvError

# Nodemailer's well-known services that people use with LibreChat: host, port, implicit TLS.
EMAIL_SERVICES: dict[str, tuple[str, int, bool]] = {
    "gmail": ("smtp.gmail.com", 465, True),
    "outlook": ("smtp-mail.outlook.com", 587, False),
    "outlook365": ("smtp.office365.com", 587, False),
    "hotmail": ("smtp-mail.outlook.com", 587, False),
    "yahoo": ("smtp.mail.yahoo.com", 465, True),
    "icloud": ("smtp.mail.me.com", 587, False),
    "zoho": ("smtp.zoho.com", 465, True),
    "sendgrid": ("smtp.sendgrid.net", 587, False),
    "mailgun": ("smtp.mailgun.org", 465, True),
    "sendinblue": ("smtp-relay.brevo.com", 587, False),
    "brevo": ("smtp-relay.brevo.com", 587, False),
    "postmark": ("smtp.postmarkapp.com", 587, False),
    "fastmail": ("smtp.fastmail.com", 465, True),
    "qq": ("smtp.qq.com", 465, True),
    "163": ("smtp.163.com", 465, True),
    "126": ("smtp.126.com", 465, True),
    "aliyun": ("smtp.aliyun.com", 465, True),
    "ses": ("email-smtp.us-east-1.amazonaws.com", 465, True),
}
ENCRYPTIONS = ("starttls", "tls", "none")


def switches(env: Mapping[str, str]) -> dict[str, bool]:
    """LibreChat's ALLOW_* switches, with the defaults of its .env.example."""
    return {
        "ALLOW_EMAIL_LOGIN": parse.boolean(env, "ALLOW_EMAIL_LOGIN", default=True),
        "ALLOW_REGISTRATION": parse.boolean(env, "ALLOW_REGISTRATION", default=True),
        "ALLOW_SOCIAL_LOGIN": parse.boolean(env, "ALLOW_SOCIAL_LOGIN", default=False),
        "ALLOW_SOCIAL_REGISTRATION": parse.boolean(env, "ALLOW_SOCIAL_REGISTRATION"),
        "ALLOW_PASSWORD_RESET": parse.boolean(env, "ALLOW_PASSWORD_RESET", default=False),
        "ALLOW_ACCOUNT_DELETION": parse.boolean(env, "ALLOW_ACCOUNT_DELETION", default=True),
        "ALLOW_UNVERIFIED_EMAIL_LOGIN": parse.boolean(
            env, "ALLOW_UNVERIFIED_EMAIL_LOGIN", default=True
        ),
    }


def sessions(env: Mapping[str, str], secure: bool) -> dict[str, Any]:
    """SESSION_EXPIRY is the sliding idle limit; REFRESH_TOKEN_EXPIRY the absolute one."""
    idle = parse.milliseconds(env, "SESSION_EXPIRY", 1000 * 60 * 15)
    longest = parse.milliseconds(env, "REFRESH_TOKEN_EXPIRY", 1000 * 60 * 60 * 24 * 7)
    if idle < 1000:
        raise EnvError("SESSION_EXPIRY", env["SESSION_EXPIRY"], "at least 1000 (one second)")
    return {
        "SESSION_COOKIE_AGE": idle // 1000,
        "SESSION_SAVE_EVERY_REQUEST": True,  # every request slides the idle expiry
        "SESSION_MAX_AGE": max(longest, idle) // 1000,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",  # OAuth callbacks are top-level GET navigations
        "SESSION_COOKIE_SECURE": secure,
        "CSRF_COOKIE_SECURE": secure,
    }


def email(env: Mapping[str, str]) -> dict[str, Any]:
    """EMAIL_* → Django's SMTP settings; EMAIL_ENABLED says whether mail can go out."""
    service = parse.text(env, "EMAIL_SERVICE").lower()
    host = parse.text(env, "EMAIL_HOST")
    sender = parse.text(env, "EMAIL_FROM")
    encryption = parse.text(env, "EMAIL_ENCRYPTION", "none").lower()
    if encryption not in ENCRYPTIONS:
        raise EnvError("EMAIL_ENCRYPTION", encryption, "starttls, tls or none")
    if service and service not in EMAIL_SERVICES:
        raise EnvError("EMAIL_SERVICE", service, "one of " + ", ".join(sorted(EMAIL_SERVICES)))
    enabled = bool((service or host) and sender)
    if (service or host) and not sender:
        raise EnvError("EMAIL_FROM", "", "a sender address when EMAIL_SERVICE or EMAIL_HOST is set")
    if service:
        host, port, implicit_tls = EMAIL_SERVICES[service]
        port = parse.port(env, "EMAIL_PORT", port)
    else:
        port = parse.port(env, "EMAIL_PORT", 25)
        implicit_tls = encryption == "tls"
    name = parse.text(env, "EMAIL_FROM_NAME", parse.text(env, "APP_TITLE", "Parley"))
    return {
        "EMAIL_ENABLED": enabled,
        "EMAIL_HOST": host or "localhost",
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": parse.text(env, "EMAIL_USERNAME"),
        "EMAIL_HOST_PASSWORD": parse.text(env, "EMAIL_PASSWORD"),
        "EMAIL_USE_SSL": implicit_tls,
        "EMAIL_USE_TLS": not implicit_tls and encryption == "starttls",
        "EMAIL_TLS_HOSTNAME": parse.text(env, "EMAIL_ENCRYPTION_HOSTNAME"),
        "EMAIL_ALLOW_SELFSIGNED": parse.boolean(env, "EMAIL_ALLOW_SELFSIGNED"),
        "EMAIL_TIMEOUT": 20,
        "DEFAULT_FROM_EMAIL": f"{name} <{sender}>" if sender else "parley@localhost",
    }


def throttles(env: Mapping[str, str]) -> dict[str, str]:
    """allauth rate limits from LibreChat's LOGIN_* / REGISTER_* limiter variables."""
    login_max = parse.integer(env, "LOGIN_MAX", 7, minimum=1)
    login_window = parse.integer(env, "LOGIN_WINDOW", 5, minimum=1)
    register_max = parse.integer(env, "REGISTER_MAX", 5, minimum=1)
    register_window = parse.integer(env, "REGISTER_WINDOW", 60, minimum=1)
    login = f"{login_max}/{login_window * 60}s"
    return {
        # LibreChat's limiter counts failures; allauth's own 30 sign-ins a minute per IP
        # would lock out an office behind one NAT, so it is off.
        "login": "",
        "login_failed": f"{login}/ip,{login}/key",  # failures per IP and per account
        "signup": f"{register_max}/{register_window * 60}s/ip",
    }


def auth_settings(
    env: Mapping[str, str], *, domain_server: str, script_name: str = ""
) -> dict[str, Any]:
    """Every sign-in setting, ready for `globals().update(...)` in settings.py."""
    allow = switches(env)
    secure = domain_server.startswith("https://")
    ldap_config = ldap.ldap_settings(env)
    # The directory is asked first; local accounts (e.g. the first admin) keep working.
    backends = ["accounts.ldap_backend.LDAPBackend"] if ldap_config else []
    backends += [
        "allauth.account.auth_backends.AuthenticationBackend",
        "django.contrib.auth.backends.ModelBackend",
    ]
    social_apps = social.providers(env) if allow["ALLOW_SOCIAL_LOGIN"] else {}
    openid_config = openid.openid_config(env) if allow["ALLOW_SOCIAL_LOGIN"] else None
    if openid_config:
        social_apps["openid"] = openid_config.provider_settings()
    return {
        **allow,
        **sessions(env, secure),
        **email(env),
        **ldap_config,
        "LDAP_ENABLED": bool(ldap_config),
        "LDAP_LOGIN_USES_USERNAME": parse.boolean(env, "LDAP_LOGIN_USES_USERNAME"),
        "AUTHENTICATION_BACKENDS": backends,
        "ACCOUNT_ADAPTER": "accounts.adapter.AccountAdapter",
        "SOCIALACCOUNT_ADAPTER": "accounts.adapter.SocialAccountAdapter",
        "ACCOUNT_FORMS": {
            "login": "accounts.forms.LoginForm",
            "signup": "accounts.forms.SignupForm",
            "reset_password": "accounts.forms.ResetPasswordForm",
        },
        "ACCOUNT_LOGIN_METHODS": {"email"},
        "ACCOUNT_SIGNUP_FIELDS": ["email*", "password1*", "password2*"],
        "ACCOUNT_USER_MODEL_USERNAME_FIELD": None,
        "ACCOUNT_UNIQUE_EMAIL": True,
        "ACCOUNT_EMAIL_VERIFICATION": (
            "optional" if allow["ALLOW_UNVERIFIED_EMAIL_LOGIN"] else "mandatory"
        ),
        "ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION": True,
        "ACCOUNT_SESSION_REMEMBER": True,  # the session follows SESSION_EXPIRY; no checkbox
        "ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE": False,
        "ACCOUNT_PREVENT_ENUMERATION": True,
        "ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS": False,  # as LibreChat: no mail to unknown addresses
        "ACCOUNT_RATE_LIMITS": throttles(env),
        "ACCOUNT_DEFAULT_HTTP_PROTOCOL": "https" if secure else "http",
        "SOCIALACCOUNT_PROVIDERS": social_apps,
        "SOCIALACCOUNT_ONLY": False,
        "SOCIALACCOUNT_LOGIN_ON_GET": False,
        "SOCIALACCOUNT_AUTO_SIGNUP": True,
        "SOCIALACCOUNT_EMAIL_AUTHENTICATION": True,  # LibreChat matches social logins by e-mail
        "SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT": True,
        "SOCIALACCOUNT_STORE_TOKENS": False,
        "SOCIAL_CALLBACK_PATHS": social.callback_paths(env, social_apps, script_name),
        "SOCIAL_USER_AGENT": social.user_agent(env),
        "OPENID": openid_config,
        "MFA_SUPPORTED_TYPES": ["totp", "recovery_codes"],
        "MFA_TOTP_ISSUER": parse.text(env, "APP_TITLE", "Parley"),
    }
