from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from allauth.mfa.signals import authenticator_added

        from accounts.enrolment import clear_on_enrolment

        authenticator_added.connect(clear_on_enrolment, dispatch_uid="accounts.enrolment")
