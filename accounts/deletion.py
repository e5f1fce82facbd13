"""Deleting an account.

Its rows go with it (CASCADE foreign keys). What a feature keeps outside the
database (the search index) is forgotten by that feature, which registers a
callback here at start-up: accounts sits below the features and imports none
of them (the layer rule in pyproject.toml).
"""

from __future__ import annotations

from collections.abc import Callable

from accounts.models import User

_forgetters: list[Callable[[int], None]] = []


def on_account_deleted(forget: Callable[[int], None]) -> None:
    """Call `forget(user_id)` after each account deletion (once, however often registered)."""
    if forget not in _forgetters:
        _forgetters.append(forget)


def delete_account(user: User) -> None:
    user_id = user.pk
    user.delete()
    for forget in _forgetters:
        forget(user_id)
