"""Deleting an account: the rows go by cascade, and every registered feature forgets the rest."""

import pytest

from accounts import deletion
from accounts.models import User


@pytest.fixture
def forgotten(monkeypatch):
    """The owner ids a feature registered with `deletion` is told to forget."""
    heard: list[int] = []
    monkeypatch.setattr(deletion, "_forgetters", [*deletion._forgetters])
    deletion.on_account_deleted(heard.append)
    return heard


@pytest.mark.django_db
def test_the_features_forget_a_deleted_account_and_only_it(forgotten, user, stranger):
    user_id = user.pk
    deletion.delete_account(user)
    assert forgotten == [user_id]
    assert not User.objects.filter(pk=user_id).exists()
    assert User.objects.filter(pk=stranger.pk).exists()


def test_the_search_index_is_registered_at_start_up():
    from chatapp.search import sync

    assert sync.owner_deleted in deletion._forgetters


def test_registering_twice_forgets_once(forgotten):
    deletion.on_account_deleted(forgotten.append)
    assert deletion._forgetters.count(forgotten.append) == 1
