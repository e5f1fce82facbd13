"""Sign-in against the directory: django-auth-ldap with LibreChat's attribute variables."""

from __future__ import annotations

from typing import Any

import ldap
from django.conf import settings
from django.http import HttpRequest
from django_auth_ldap import backend

from accounts import roles
from accounts.models import User

UNREACHABLE_FLAG = "_parley_ldap_unreachable"


def _first(ldap_user: Any, *names: str) -> str:
    """The first value of the first attribute of `names` the entry has."""
    for name in names:
        values = ldap_user.attrs.get(name) if name else None
        if values:
            return str(values[0])
    return ""


def directory_unreachable(request: HttpRequest | None) -> bool:
    """True when this request's sign-in failed because the directory could not be reached."""
    return bool(request is not None and getattr(request, UNREACHABLE_FLAG, False))


def _note_unreachable(sender, context, user, request, exception, **kwargs) -> None:
    if request is not None and isinstance(exception, ldap.SERVER_DOWN | ldap.TIMEOUT):
        setattr(request, UNREACHABLE_FLAG, True)


backend.ldap_error.connect(_note_unreachable, dispatch_uid="parley-ldap-unreachable")


class LDAPBackend(backend.LDAPBackend):
    """Accepts allauth's `email=` credential; creates the user on first sign-in."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        login = username or kwargs.get("email")
        if not login:
            return None
        user = super().authenticate(request, username=login, password=password)
        if user is not None and getattr(user, "_parley_created", False):
            roles.grant_first_admin(user)
        return user

    def get_or_build_user(self, username: str, ldap_user: Any) -> tuple[User, bool]:
        names = settings.LDAP_ATTRIBUTES
        email = _first(ldap_user, names["email"], "mail") or f"{username}@ldap.local"
        user = User.objects.filter(email__iexact=email).first()
        built = user is None
        if built:
            user = User(email=email.lower(), provider=User.Provider.LDAP, email_verified=True)
            user._parley_created = True
        user.ldap_id = _first(ldap_user, names["id"], "uid", "sAMAccountName") or username
        user.username = _first(ldap_user, names["username"], "givenName", "uid")[:150]
        full = [_first(ldap_user, name) for name in names["full_name"]]
        user.name = (" ".join(v for v in full if v) or _first(ldap_user, "displayName", "cn"))[:150]
        return user, built
