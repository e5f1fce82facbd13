"""Forms: the sign-in form (switches, LDAP usernames), the profile, account deletion."""

from __future__ import annotations

from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import User


def _ldap_username_login() -> bool:
    return settings.LDAP_ENABLED and settings.LDAP_LOGIN_USES_USERNAME


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
        try:
            return super().clean()
        except ValidationError:
            if settings.LDAP_ENABLED:
                from accounts.ldap_backend import directory_unreachable

                if directory_unreachable(self.request):
                    raise ValidationError(
                        _("The directory server cannot be reached. Please try again later.")
                    ) from None
            raise


class ProfileForm(forms.ModelForm):
    avatar = forms.URLField(
        label=_("Avatar URL"), required=False, max_length=500, assume_scheme="https"
    )

    class Meta:
        model = User
        fields = ["name", "username", "avatar"]
        labels = {"name": _("Name"), "username": _("Username"), "avatar": _("Avatar URL")}


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
