"""Two-factor enrolment that cannot wait.

A user flagged `must_enrol_totp` (an imported LibreChat account whose TOTP
secret could not be decrypted: chatapp/importer/users.py) reaches nothing but
the authenticator-app set-up, allauth mfa's TOTP activation, until they have
enrolled; enrolling clears the flag. The chat socket is held to the same flag
by accounts.sessions.ended.
"""

from __future__ import annotations

from allauth.mfa.internal.flows.add import validate_can_add_authenticator
from allauth.mfa.models import Authenticator
from asgiref.sync import sync_to_async
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.deprecation import MiddlewareMixin
from django_htmx.http import HttpResponseClientRedirect

from accounts.models import User
from chatapp.conf.onloop import signed_in

ENROL = "mfa_activate_totp"
VERIFY = "account_email"
# What the set-up itself needs: allauth asks for the password again before adding an
# authenticator, the page loads the translation catalogue; signing out stays possible.
OPEN = frozenset({
    "account_reauthenticate", "account_logout", "account_confirm_email",
    "account_email_verification_sent", "javascript-catalog", "set_language", "health",
})  # fmt: skip


def enrolment_page(user: User) -> str:
    """The URL name of where `user` enrols: the TOTP activation, or first the e-mail page
    while allauth refuses an authenticator to an account with an unverified address."""
    try:
        validate_can_add_authenticator(user)
    except ValidationError:
        return VERIFY
    return ENROL


class EnrolmentMiddleware(MiddlewareMixin):
    """Sends a flagged user to the enrolment page from every other page and API call."""

    async def process_view(self, request: HttpRequest, view, args, kwargs) -> HttpResponse | None:
        if not signed_in(request):  # anonymous: nothing to enrol, and no database read
            return None
        return await sync_to_async(self.redirect)(request)

    def redirect(self, request: HttpRequest) -> HttpResponse | None:
        user = request.user
        if not (user.is_authenticated and user.must_enrol_totp):
            return None
        name = request.resolver_match.url_name if request.resolver_match else None
        page = enrolment_page(user)
        if name in OPEN or name == page:
            return None
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(reverse(page))  # the whole page, not a fragment
        return HttpResponseRedirect(reverse(page))


def clear_on_enrolment(sender, user: User, authenticator: Authenticator, **kwargs) -> None:
    """allauth's authenticator_added: an authenticator app set up is the enrolment awaited."""
    if authenticator.type == Authenticator.Type.TOTP and user.must_enrol_totp:
        User.objects.filter(pk=user.pk).update(must_enrol_totp=False)
        user.must_enrol_totp = False
