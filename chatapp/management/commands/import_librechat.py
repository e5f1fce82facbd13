"""`manage.py import_librechat DIR [--dry-run] [--merge-existing] [--files DIR]`: import a
LibreChat mongodump (and, with --files, the uploaded files on disk)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from chatapp.importer import run, steps
from chatapp.importer.dump import DumpError
from chatapp.search import indexing
from chatapp.search.backends import indexes


class Command(BaseCommand):
    help = "Import users, conversations, presets, balances, shared links and keys from a mongodump."

    def add_arguments(self, parser) -> None:
        parser.add_argument("directory", type=Path, help="mongodump --out DIR (or DIR/<database>)")
        parser.add_argument("--dry-run", action="store_true", help="read and check; write nothing")
        parser.add_argument(
            "--merge-existing",
            action="store_true",
            help="attach a LibreChat user's data to the Parley account with the same e-mail",
        )
        parser.add_argument(
            "--batch-size", type=int, default=1000, help="documents per transaction"
        )
        parser.add_argument("--creds-key", default=settings.CREDS_KEY, help="LibreChat's CREDS_KEY")
        parser.add_argument("--creds-iv", default=settings.CREDS_IV, help="LibreChat's CREDS_IV")
        parser.add_argument(
            "--files",
            type=Path,
            default=None,
            help="LibreChat's directory holding uploads/ and images/ (or client/public/images/)",
        )

    def handle(self, *args, **options) -> None:
        choices = run.Options(
            directory=options["directory"],
            dry_run=options["dry_run"],
            merge_existing=options["merge_existing"],
            batch_size=max(1, options["batch_size"]),
            creds_key=options["creds_key"],
            creds_iv=options["creds_iv"],
            files_dir=options["files"],
        )
        if choices.files_dir is not None and not choices.files_dir.is_dir():
            raise CommandError(f"--files: {choices.files_dir} is not a directory.")
        try:
            report = steps.execute(choices, progress=self._progress)
        except DumpError as error:
            raise CommandError(str(error)) from None
        self.stderr.write("")
        for line in report.lines():
            self.stdout.write(line)
        if report.changed_owners and indexes(automatic=False):
            self.stdout.write(f"Indexing the conversations of {len(report.changed_owners)} users…")
            for owner in get_user_model().objects.filter(pk__in=report.changed_owners):
                with transaction.atomic():  # one commit per user, not one per conversation
                    indexing.reindex(owner)

    def _progress(self, collection: str, read: int) -> None:
        self.stderr.write(f"\r{collection}: {read} read", ending="")
