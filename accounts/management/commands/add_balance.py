"""`python manage.py add_balance EMAIL CREDITS`: top up a user's balance (LibreChat's script)."""

from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError

from accounts import balance
from accounts.models import User


def credits(value: str) -> Decimal:
    try:
        return Decimal(value)
    except InvalidOperation:
        raise CommandError(f"CREDITS must be a number, not {value!r}") from None


class Command(BaseCommand):
    help = "Add credits to a user's balance (1000 credits = $0.001; negative removes)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("email")
        parser.add_argument("credits", type=credits)

    def handle(self, email: str, credits: Decimal, **options) -> None:
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No user with the e-mail address {email!r}")
        total = balance.add_credits(user, credits, context="command")
        self.stdout.write(f"{user.email}: {total.normalize():f} credits")
