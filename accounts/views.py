"""Account pages around allauth's: sign-in (auto-redirect), profile, deletion, sessions."""

from __future__ import annotations

from collections.abc import Callable

from allauth.account.views import SignupView as AllauthSignupView
from allauth.account.views import login as allauth_login
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import apikeys, balance, dashboard, deletion, sessions, terms, turnstile
from accounts.forms import ApiKeyForm, DeleteAccountForm, ProfileForm


def _auto_redirects(request: HttpRequest) -> bool:
    """OPENID_AUTO_REDIRECT, unless there is a message to show or ?local asks for the form."""
    openid = settings.OPENID
    return bool(
        openid
        and openid.auto_redirect
        and request.method == "GET"
        and "local" not in request.GET
        and not request.user.is_authenticated
        and not len(messages.get_messages(request))
    )


@turnstile.allow_widget
def login(request: HttpRequest) -> HttpResponse:
    if _auto_redirects(request):
        try:
            provider = get_social_adapter().get_provider(request, "openid")
            return provider.redirect_from_request(request)
        except ImmediateHttpResponse as refused:
            return refused.response
    return allauth_login(request)


class SignupView(AllauthSignupView):
    """allauth's sign-up, its form given the request (the client's address for Turnstile)."""

    def get_form_kwargs(self) -> dict:
        return {**super().get_form_kwargs(), "request": self.request}


signup = turnstile.allow_widget(SignupView.as_view())


def when_allowed(switch: str, view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """`view`, or 404 when the ALLOW_* setting `switch` is off."""

    def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not getattr(settings, switch):
            raise Http404
        return view(request, *args, **kwargs)

    return guarded


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile was saved."))
        return redirect("account_profile")
    return render(request, "account/profile.html", {"form": form})


@login_required
def delete_account(request: HttpRequest) -> HttpResponse:
    if not settings.ALLOW_ACCOUNT_DELETION:
        raise Http404
    form = DeleteAccountForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        deletion.delete_account(user)
        messages.success(request, _("Your account was deleted."))
        return redirect("account_login")
    return render(request, "account/delete.html", {"form": form})


@require_POST
def keep_alive(request: HttpRequest) -> HttpResponse:
    """An open chat page pings this so SESSION_EXPIRY counts from when the tab was closed
    (the socket's traffic does not touch the session); a signed-out page gets 401."""
    return HttpResponse(status=204 if request.user.is_authenticated else 401)


@require_POST
@login_required
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    sessions.sign_out_everywhere(request, request.user)
    messages.success(request, _("You were signed out on every device."))
    return redirect("account_login")


@require_POST
@login_required
def accept_terms(request: HttpRequest) -> HttpResponse:
    """The terms modal's Accept (interface.termsOfService.modalAcceptance)."""
    terms.accept(request.user)
    return redirect("home")


@login_required
def balance_fragment(request: HttpRequest) -> HttpResponse:
    """The user's credits for the account menu (empty when balances are off)."""
    rules = balance.policy_or_default()
    if not rules.enabled:
        return HttpResponse("")
    credits = balance.get_balance(request.user, rules).credits
    context = {"credits": credits, "dollars": credits / 1_000_000}
    return render(request, "accounts/balance.html", context)


@login_required
def api_keys(request: HttpRequest) -> HttpResponse:
    """The user's personal API keys; a new one is shown on this response only."""
    form = ApiKeyForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        _, new_key = apikeys.create(
            request.user,
            name=data["name"],
            expires_in_days=data["expires_in_days"],
            models=data["models"],
            ips=data["ips"],
            keep_conversations=data["keep_conversations"],
        )
        form = ApiKeyForm()
    context = {"form": form, "new_key": new_key, "keys": apikeys.keys_for(request.user)}
    return render(request, "account/api_keys.html", context)


@require_POST
@login_required
def revoke_api_key(request: HttpRequest, key_id: int) -> HttpResponse:
    key = apikeys.revoke(request.user, key_id)
    messages.success(request, _("The key %(prefix)s… was revoked.") % {"prefix": key.prefix})
    return redirect("account_api_keys")


@login_required
def usage(request: HttpRequest) -> HttpResponse:
    """The user's own requests, tokens and cost per day (by model by default)."""
    figures = dashboard.context(request, request.user, default_by="model")
    if request.GET.get("format") == "csv":
        return dashboard.csv_response(figures["rows"], figures["by"], "my-usage.csv")
    return render(
        request, "account/usage.html", {**figures, "groups": ["model", "endpoint", "key"]}
    )
