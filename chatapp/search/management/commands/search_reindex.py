"""`manage.py search_reindex [--user EMAIL]`: rebuild the search indexes, safe while serving."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from chatapp.search import indexing
from chatapp.search.backends import indexes
from chatapp.search.base import SearchUnavailable

BAR = 30


class Command(BaseCommand):
    help = "Rebuild the search index from the database (all users, or one with --user)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--user", metavar="EMAIL", help="only this user's conversations")

    def handle(self, *args, user: str | None = None, **options) -> None:
        owner = None
        if user:
            owner = get_user_model().objects.filter(email__iexact=user).first()
            if owner is None:
                raise CommandError(f"No user with the e-mail {user!r}.")
        targets = ", ".join(index.name for index in indexes(automatic=False))
        if not targets:
            self.stdout.write("PostgreSQL indexes its tables itself: nothing to rebuild.")
            return
        self.stdout.write(f"Reindexing into {targets}…")
        try:
            count = indexing.reindex(owner, progress=self._progress)
        except SearchUnavailable as error:
            raise CommandError(f"The search index is unreachable: {error}") from None
        self.stdout.write(self.style.SUCCESS(f"\nReindexed {count} conversation(s)."))

    def _progress(self, done: int, total: int) -> None:
        filled = BAR * done // max(total, 1)
        bar = "#" * filled + "." * (BAR - filled)
        self.stdout.write(f"\r[{bar}] {done}/{total}", ending="")
        self.stdout.flush()
