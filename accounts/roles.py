"""Roles: the first account ever created becomes `admin`, everyone after it `user`."""

from __future__ import annotations

from accounts.models import User


def grant_first_admin(user: User) -> bool:
    """Make `user` an admin when no other account exists; True when it did.

    As in LibreChat this is a count, not a lock: only the very first sign-ups
    of a fresh install can race, and the admin site can correct a role.
    """
    if User.objects.exclude(pk=user.pk).exists():
        return False
    user.role = User.Role.ADMIN
    user.save(update_fields=["role", "is_staff", "is_superuser"])
    return True
