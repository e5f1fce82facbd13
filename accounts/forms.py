"""Forms: the sign-in form (switches, LDAP usernames), the profile, account deletion."""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from allauth.account.app_settings import EmailVerificationMethod
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.account.internal.flows.login import perform_login
from allauth.account.internal.flows.signup import complete_signup
from allauth.account.models import Login
from django import forms
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port
from django.utils.translation import gettext_lazy as _

from accounts import registration, turnstile
from accounts.models import User


def _ldap_username_login() -> bool:
    return settings.LDAP_ENABLED and settings.LDAP_LOGIN_USES_USERNAME


def ldap_refusal(request) -> str | None:
    """What to tell someone whose directory sign-in was refused (None: wrong credentials)."""
    if not settings.LDAP_ENABLED:
        return None
    from accounts.ldap_backend import refusal  # needs the optional `ldap` extra

    return refusal(request)


class LoginForm(AllauthLoginForm):
    """allauth's form, refused when e-mail sign-in is off, asking a username for LDAP."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if _ldap_username_login():
            self.fields["login"] = forms.CharField(
                label=_("Username"),
                max_length=254,
                widget=forms.TextInput(attrs={"autocomplete": "username"}),
            )

    def user_credentials(self) -> dict:
        if not _ldap_username_login():
            return super().user_credentials()
        return {"username": self.cleaned_data["login"], "password": self.cleaned_data["password"]}

    def clean(self):
        if not (settings.ALLOW_EMAIL_LOGIN or settings.LDAP_ENABLED):
            raise ValidationError(_("Sign-in with e-mail and password is disabled on this site."))
        _check_turnstile(self)  # before the credentials: a bot without a token costs no hash
        try:
            return super().clean()
        except ValidationError:
            message = ldap_refusal(self.request)
            if message:
                raise ValidationError(message) from None
            raise


def _check_turnstile(form: forms.Form) -> None:
    """The Turnstile token of the form's request, checked before anything else is."""
    request = getattr(form, "request", None)
    remote_ip = request.META.get("REMOTE_ADDR") if request else None
    host = split_domain_port(request.get_host())[0] if request else None
    refused = turnstile.refusal(form.data.get(turnstile.FIELD), remote_ip, host)
    if refused:
        raise ValidationError(refused)


def _check_domain(email: str) -> str:
    if not registration.domain_allowed(email):
        raise ValidationError(registration.DOMAIN_REFUSED)
    return email


class SignupForm(AllauthSignupForm):
    """allauth's sign-up at registration.allowedDomains only, which answers a taken address
    exactly as a new one, as LibreChat does.

    allauth hides a taken address only under mandatory verification (it would have to
    sign its owner in otherwise), so here signing up never signs anyone in: both
    answers are the "check your e-mail" page, the new address gets the verification
    link and the taken one allauth's "account already exists" mail. With
    ALLOW_UNVERIFIED_EMAIL_LOGIN the new account can sign in at once.
    """

    def __init__(self, *args, request: HttpRequest | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.request = request  # for the client's address in the Turnstile check

    def clean_email(self) -> str:
        return _check_domain(super().clean_email())

    def clean(self):
        _check_turnstile(self)
        return super().clean()

    def validate_unique_email(self, value: str) -> str:
        try:
            return super().validate_unique_email(value)
        except ValidationError:  # taken: say nothing (allauth itself only under mandatory)
            self.account_already_exists = True
            return value

    def try_save(self, request: HttpRequest) -> tuple[User | None, HttpResponse]:
        verification = EmailVerificationMethod.MANDATORY  # for this answer, whatever the setting
        if self.account_already_exists:
            make_password(self.cleaned_data["password1"])  # the time a new account's hash takes
            adapter = get_adapter(request)
            if not adapter.should_send_confirmation_mail(request, None, True):
                return None, adapter.respond_email_verification_sent(request, None)  # as a new one
            email = self.cleaned_data["email"]
            login = Login(user=None, email=email, signup=True, email_verification=verification)
            return None, perform_login(request, login)
        user = self.save(request)
        return user, complete_signup(request, user=user, email_verification=verification)


class ResetPasswordForm(AllauthResetPasswordForm):
    """allauth's reset form, refused outside registration.allowedDomains (as LibreChat)."""

    def clean_email(self) -> str:
        _check_domain(self.cleaned_data["email"])
        return super().clean_email()


class ProfileForm(forms.ModelForm):
    avatar = forms.URLField(
        label=_("Avatar URL"), required=False, max_length=500, assume_scheme="https"
    )

    class Meta:
        model = User
        fields = ["name", "username", "avatar", "instructions"]
        labels = {
            "name": _("Name"),
            "username": _("Username"),
            "avatar": _("Avatar URL"),
            "instructions": _("Personal instructions"),
        }
        help_texts = {
            "instructions": _("Every new chat starts with these, unless a preset or model spec "
                              "sets its own."),
        }  # fmt: skip
        widgets = {"instructions": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The limit a chat message has, as for a conversation's instructions.
        field = self.fields["instructions"]
        field.max_length = settings.CHAT_MAX_MESSAGE_CHARS
        field.validators.append(MaxLengthValidator(settings.CHAT_MAX_MESSAGE_CHARS))
        field.widget.attrs["maxlength"] = str(settings.CHAT_MAX_MESSAGE_CHARS)


class DeleteAccountForm(forms.Form):
    """Deleting an account asks the user to type their e-mail address: it works for
    every kind of account, including those without a password (social, LDAP)."""

    confirm = forms.CharField(label=_("Type your e-mail address to confirm"))

    def __init__(self, user: User, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_confirm(self) -> str:
        value = self.cleaned_data["confirm"].strip()
        if value.lower() != self.user.email.lower():
            raise ValidationError(_("That is not your e-mail address."))
        return value


class ApiKeyForm(forms.Form):
    """A new personal API key (accounts.apikeys): every field optional."""

    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    expires_in_days = forms.IntegerField(
        label=_("Expires after (days)"), min_value=1, max_value=3650, required=False
    )
    models = forms.CharField(
        label=_("Models"),
        required=False,
        help_text=_("Comma-separated model ids (endpoint/model or a model name); empty: all."),
    )
    ips = forms.CharField(
        label=_("IP addresses"),
        required=False,
        help_text=_("Comma-separated addresses or networks (CIDR); empty: anywhere."),
    )
    keep_conversations = forms.BooleanField(
        label=_("Save its requests as conversations"), required=False
    )

    def clean_ips(self) -> list[str]:
        from accounts.apikeys import network

        values = [v.strip() for v in self.cleaned_data["ips"].split(",") if v.strip()]
        for value in values:
            try:
                network(value)
            except ValueError as bad:
                raise ValidationError(str(bad)) from None
        return values

    def clean_models(self) -> list[str]:
        return [v.strip() for v in self.cleaned_data["models"].split(",") if v.strip()]
