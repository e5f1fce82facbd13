"""The one rule for outside sign-ins that match a local account by e-mail alone."""

import pytest
from allauth.account.models import EmailAddress

from accounts.linking import may_link, refusal
from accounts.models import User

pytestmark = pytest.mark.django_db


def test_an_unverified_account_may_not_be_linked(user):
    assert not user.email_verified
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    assert not may_link(user, user.email)


def test_a_verified_account_may_be_linked(user):
    User.objects.filter(pk=user.pk).update(email_verified=True)
    user.refresh_from_db()
    assert may_link(user, user.email)


def test_an_address_verified_through_allauth_counts(user):
    EmailAddress.objects.create(user=user, email=user.email.upper(), verified=True, primary=True)
    assert may_link(user, user.email)


def test_another_verified_address_of_the_account_does_not_count(user, stranger):
    EmailAddress.objects.create(user=user, email="other@example.com", verified=True)
    EmailAddress.objects.create(user=stranger, email=user.email, verified=True)
    assert not may_link(user, user.email)


def test_the_refusal_says_what_to_do():
    message = refusal("LDAP")
    assert "LDAP sign-in cannot be linked" in message
    assert "verify the address" in message and "ask an administrator" in message


def test_only_the_matched_address_counts(user):
    """An unverified address added to a verified account is not a way into it."""
    User.objects.filter(pk=user.pk).update(email_verified=True)
    user.refresh_from_db()
    EmailAddress.objects.create(user=user, email="victim@example.com", verified=False)
    assert may_link(user, user.email) and not may_link(user, "victim@example.com")
    EmailAddress.objects.filter(email="victim@example.com").update(verified=True)
    assert may_link(user, "Victim@Example.com")
