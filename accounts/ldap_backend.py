"""Sign-in against the directory: django-auth-ldap with LibreChat's attribute variables.

A directory entry signs in to the account keyed by its LDAP identity (`ldap_id`,
from LDAP_ID, else uid or sAMAccountName, as LibreChat). On its first sign-in it
takes an existing account with its e-mail only when `accounts.linking` allows
it, and it creates one only at a domain `accounts.registration` allows.
"""

from __future__ import annotations

from typing import Any

import ldap
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_auth_ldap import backend

from accounts import linking, registration, roles
from accounts.models import User

REFUSAL_ATTRIBUTE = "_parley_ldap_refusal"


def _first(ldap_user: Any, *names: str) -> str:
    """The first value of the first attribute of `names` the entry has."""
    for name in names:
        values = ldap_user.attrs.get(name) if name else None
        if values:
            return str(values[0])
    return ""


def refusal(request: HttpRequest | None) -> str | None:
    """Why this request's directory sign-in failed, when the person should be told:
    the directory could not be reached, or the account may not be used."""
    return getattr(request, REFUSAL_ATTRIBUTE, None) if request is not None else None


def _note_unreachable(sender, context, user, request, exception, **kwargs) -> None:
    if request is not None and isinstance(exception, ldap.SERVER_DOWN | ldap.TIMEOUT):
        message = _("The directory server cannot be reached. Please try again later.")
        setattr(request, REFUSAL_ATTRIBUTE, message)


backend.ldap_error.connect(_note_unreachable, dispatch_uid="parley-ldap-unreachable")


def _account_for(ldap_id: str, email: str) -> User | None:
    """The account of this directory entry: the one keyed by its identity, else a linkable
    one with its e-mail; None when there is none (PermissionDenied when one may not be used)."""
    user = User.objects.filter(ldap_id=ldap_id).first()
    if user is not None:
        return user
    user = User.objects.filter(email__iexact=email).first()
    if user is not None and not linking.may_link(user, email):
        raise PermissionDenied(linking.refusal("LDAP"))
    if user is None and not registration.domain_allowed(email):
        raise PermissionDenied(registration.DOMAIN_REFUSED)
    return user


class LDAPBackend(backend.LDAPBackend):
    """Accepts allauth's `email=` credential; creates the user on first sign-in."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        login = username or kwargs.get("email")
        if not login:
            return None
        try:
            user = super().authenticate(request, username=login, password=password)
        except PermissionDenied as refused:
            if request is not None:
                setattr(request, REFUSAL_ATTRIBUTE, str(refused))
            raise  # no other backend may sign this person in either
        if user is not None and getattr(user, "_parley_created", False):
            roles.grant_first_admin(user)
        return user

    def get_or_build_user(self, username: str, ldap_user: Any) -> tuple[User, bool]:
        names = settings.LDAP_ATTRIBUTES
        email = _first(ldap_user, names["email"], "mail") or f"{username}@ldap.local"
        ldap_id = _first(ldap_user, names["id"], "uid", "sAMAccountName") or username
        user = _account_for(ldap_id, email)
        built = user is None
        if built:
            user = User(email=email.lower(), provider=User.Provider.LDAP, email_verified=True)
            user._parley_created = True
        user.ldap_id = ldap_id
        user.username = _first(ldap_user, names["username"], "givenName", "uid")[:150]
        full = [_first(ldap_user, name) for name in names["full_name"]]
        user.name = (" ".join(v for v in full if v) or _first(ldap_user, "displayName", "cn"))[:150]
        return user, built
