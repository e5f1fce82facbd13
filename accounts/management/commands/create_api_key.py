"""`python manage.py create_api_key EMAIL [--name N] [--expires DAYS] [--models a,b]`:
print a new personal API key for scripts and first set-up (seed 004's INITIAL_ROOT_TOKEN)."""

from django.core.management.base import BaseCommand, CommandError

from accounts import apikeys
from accounts.models import User


class Command(BaseCommand):
    help = "Make a personal API key for the /v1 API and print it (it is shown only once)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", default="")
        parser.add_argument("--expires", type=int, metavar="DAYS", help="days until it expires")
        parser.add_argument("--models", default="", help="comma-separated model allow-list")
        parser.add_argument("--ips", default="", help="comma-separated IP allow-list")
        parser.add_argument("--keep-conversations", action="store_true")

    def handle(self, email: str, **options) -> None:
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No user with the e-mail address {email!r}")
        if options["expires"] is not None and options["expires"] < 1:
            raise CommandError("--expires must be at least 1 day")
        try:
            _, text = apikeys.create(
                user,
                name=options["name"],
                expires_in_days=options["expires"],
                models=options["models"].split(","),
                ips=options["ips"].split(","),
                keep_conversations=options["keep_conversations"],
            )
        except ValueError as bad:
            raise CommandError(str(bad)) from None
        self.stdout.write(text)
