"""Whether a sign-in from outside (LDAP, OpenID, an OAuth provider) may take over a local account.

An outside identity that is already tied to an account (LDAP by its `ldap_id`,
OpenID and OAuth by allauth's social account) signs in to that account. One
that only shares the e-mail address of an existing account may link to it
only when the account's address is verified: otherwise anyone could register
the address first, unverified, and wait for its owner to sign in through the
directory or the provider into an account they prepared (and still hold the
password of).
"""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.utils.translation import gettext as _

from accounts.models import User


def may_link(user: User, email: str) -> bool:
    """True when an outside sign-in that matched `user` by `email` alone may sign in as `user`.

    The matched address itself must be verified: an unverified address added to an
    account whose own address is verified is no way in either."""
    if user.email_verified and user.email.lower() == email.lower():
        return True
    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


def refusal(provider: str) -> str:
    """What the person signing in through `provider` is told when `may_link` says no."""
    return _(
        "An account with your e-mail address already exists on this site, but its address "
        "has not been verified, so your %(provider)s sign-in cannot be linked to it. Sign in "
        "to that account with its password and verify the address (or reset its password "
        "first), then sign in with %(provider)s again; if the account is not yours, ask an "
        "administrator."
    ) % {"provider": provider}
