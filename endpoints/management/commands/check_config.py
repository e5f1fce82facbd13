"""`manage.py check_config [PATH]`: validate a librechat.yaml (and the .env) and explain it."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from endpoints import config, report
from endpoints.breaker import Breaker, Policy
from endpoints.problems import errors


class Command(BaseCommand):
    help = (
        "Check librechat.yaml (CONFIG_PATH, or PATH) with the current environment: print the "
        "resolved endpoints with secrets masked (and each fail-over key with its state), every "
        "warning and error, and exit 1 on an error."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", nargs="?", help="a file path or an http(s) URL")

    def handle(self, *args, path: str | None = None, **options) -> None:
        location = path or settings.CONFIG_PATH
        loaded, problems = config.inspect(location, settings.ENV, required=path is not None)
        breaker = Breaker(Policy.from_settings())  # each key's state, shared through the cache
        self.stdout.write(report.render(location, loaded, problems, breaker))
        if errors(problems):
            raise SystemExit(1)
