"""allauth adapters: LibreChat's switches, the first admin, mail through Celery, violations."""

from __future__ import annotations

import logging
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.core import context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from allauth.utils import build_absolute_uri
from django.conf import settings
from django.contrib import messages
from django.contrib.sites.shortcuts import get_current_site
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts import bans, linking, registration, roles, tasks
from accounts.mail import to_payload
from accounts.models import User
from accounts.openid.session import end_session_url
from chatapp.conf.dispatch import enqueue

log = logging.getLogger(__name__)
LOGINS, REGISTRATIONS = "logins", "registrations"  # LibreChat's violation type names


def record_violation(request: HttpRequest, kind: str) -> None:
    """Score a failed sign-in or refused registration against the client's IP (accounts.bans)."""
    user = request.user if request.user.is_authenticated else None
    bans.record(kind, user, request.META.get("REMOTE_ADDR"))


def refuse_sign_in(request: HttpRequest, message: str, error: Exception | None = None):
    """Back to the sign-in page with `message`; the cause goes to the log, not the user."""
    if error is not None:
        log.warning("sign-in refused: %s (%s: %s)", message, type(error).__name__, error)
    messages.error(request, message)
    return HttpResponseRedirect(reverse("account_login"))


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        if not settings.ALLOW_REGISTRATION and request.method == "POST":
            record_violation(request, REGISTRATIONS)
        return settings.ALLOW_REGISTRATION

    def save_user(self, request: HttpRequest, user: User, form, commit: bool = True) -> User:
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            roles.grant_first_admin(user)
        return user

    def confirm_email(self, request: HttpRequest, email_address) -> bool:
        confirmed = super().confirm_email(request, email_address)
        if confirmed and email_address.primary:
            User.objects.filter(pk=email_address.user_id).update(email_verified=True)
        return confirmed

    def should_send_confirmation_mail(self, request: HttpRequest, email_address, signup) -> bool:
        # Without e-mail an optional verification link would only fill the log, and the
        # page would claim a message was sent; a mandatory one is logged for the admin.
        return settings.EMAIL_ENABLED or not settings.ALLOW_UNVERIFIED_EMAIL_LOGIN

    def send_mail(self, template_prefix: str, email: str, context_: dict[str, Any]) -> None:
        """Render now, send on the worker; without EMAIL_* the message goes to the log."""
        request = context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request)}
        message = self.render_mail(template_prefix, email, {**ctx, **context_})
        if not settings.EMAIL_ENABLED:
            log.warning(
                "e-mail is not configured (EMAIL_*); not sent to %s: %s\n%s",
                email,
                message.subject,
                message.body,
            )
            return
        enqueue(tasks.send_email, to_payload(message))

    def send_account_already_exists_mail(self, email: str) -> None:
        """allauth's notice to the owner of a taken address (accounts.forms.SignupForm), with
        the reset link only when ALLOW_PASSWORD_RESET is on (it would be a 404 otherwise)."""
        request = context.request
        ctx = {"login_url": build_absolute_uri(request, reverse("account_login"))}
        if settings.ALLOW_PASSWORD_RESET and settings.ALLOW_EMAIL_LOGIN:
            reset = reverse("account_reset_password")
            ctx["password_reset_url"] = build_absolute_uri(request, reset)
        self.send_mail("account/email/account_already_exists", email, ctx)

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        from accounts.forms import ldap_refusal

        if not ldap_refusal(request):  # the directory down or the account refused: no guess
            record_violation(request, LOGINS)

    def get_client_ip(self, request: HttpRequest) -> str:
        return request.META["REMOTE_ADDR"]  # resolved behind trusted proxies: chatapp/forwarding.py

    def get_logout_redirect_url(self, request: HttpRequest) -> str:
        after = super().get_logout_redirect_url(request)
        return end_session_url(request, build_absolute_uri(request, after)) or after


def _record_verified(user: User, email: str) -> None:
    """Mark the linked address verified the allauth way too: allauth trusts only its own
    flag and would wipe the password of an account verified the LibreChat way
    (User.email_verified: imported, made by LDAP, ticked by an admin)."""
    address = EmailAddress.objects.filter(user=user, email__iexact=email).first()
    if address is None:
        primary = not EmailAddress.objects.filter(user=user, primary=True).exists()
        EmailAddress.objects.create(user=user, email=email.lower(), verified=True, primary=primary)
    elif not address.verified:
        address.verified = True
        address.save(update_fields=["verified"])


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin) -> bool:
        if settings.ALLOW_SOCIAL_REGISTRATION:
            return True
        record_violation(request, REGISTRATIONS)
        message = _("Registration through this provider is disabled on this site.")
        raise ImmediateHttpResponse(refuse_sign_in(request, message))

    def populate_user(self, request: HttpRequest, sociallogin, data: dict) -> User:
        user = super().populate_user(request, sociallogin, data)
        extra = sociallogin.account.extra_data
        user.name = (data.get("name") or "")[:150]
        user.username = (data.get("username") or "")[:150]
        user.provider = sociallogin.account.provider
        picture = extra.get("picture") or extra.get("avatar_url") or ""
        user.avatar = picture if isinstance(picture, str) and len(picture) <= 500 else ""
        return user

    def authenticate_by_email(self, sociallogin) -> tuple[User, str] | None:
        """allauth's match by verified e-mail, refused when the account may not be linked
        (accounts.linking): allauth would only wipe its password."""
        found = super().authenticate_by_email(sociallogin)
        if found and not linking.may_link(*found):
            message = linking.refusal(sociallogin.provider.name)
            raise ImmediateHttpResponse(refuse_sign_in(context.request, message))
        if found:
            _record_verified(*found)
        return found

    def save_user(self, request: HttpRequest, sociallogin, form=None) -> User:
        # Every new account from a provider is made here, with or without allauth's form.
        if not registration.domain_allowed(sociallogin.user.email):
            raise ImmediateHttpResponse(refuse_sign_in(request, registration.DOMAIN_REFUSED))
        user = super().save_user(request, sociallogin, form)
        verified = any(address.verified for address in sociallogin.email_addresses)
        if verified and not user.email_verified:
            User.objects.filter(pk=user.pk).update(email_verified=True)
        roles.grant_first_admin(user)
        return user

    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ) -> None:
        message = getattr(exception, "user_message", None) or _(
            "Sign-in with %(provider)s failed. Please try again."
        ) % {"provider": provider.name}
        raise ImmediateHttpResponse(refuse_sign_in(request, message, exception))

    def get_app(self, request: HttpRequest, provider: str, client_id: str | None = None):
        """A provider whose variables are unset (or ALLOW_SOCIAL_LOGIN off) does not exist."""
        try:
            return super().get_app(request, provider, client_id)
        except SocialApp.DoesNotExist:
            raise Http404 from None

    def get_requests_session(self):
        session = super().get_requests_session()
        session.headers["User-Agent"] = settings.SOCIAL_USER_AGENT
        return session
