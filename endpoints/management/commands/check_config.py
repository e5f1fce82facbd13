"""`manage.py check_config [PATH]`: validate a librechat.yaml (and the .env) and explain it."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from endpoints import config, mcpservers, report
from endpoints.breaker import Breaker, Policy
from endpoints.mcpclient.probe import probe
from endpoints.problems import Problem, errors


class Command(BaseCommand):
    help = (
        "Check librechat.yaml (CONFIG_PATH, or PATH) with the current environment: print the "
        "resolved endpoints with secrets masked (and each fail-over key with its state), the "
        "MCP servers (each connected once), every "
        "warning and error, and exit 1 on an error."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", nargs="?", help="a file path or an http(s) URL")

    def handle(self, *args, path: str | None = None, **options) -> None:
        location = path or settings.CONFIG_PATH
        loaded, problems = config.inspect(location, settings.ENV, required=path is not None)
        breaker = Breaker(Policy.from_settings())  # each key's state, shared through the cache
        servers = mcpservers.from_config(loaded, settings.ENV) if loaded else None
        statuses = probe(servers) if servers else {}
        problems = problems + [
            Problem("warning", line, ("mcpServers", name), source=location)
            for name, (up, line) in statuses.items()
            if not up and line.startswith("down")
        ]
        self.stdout.write(report.render(location, loaded, problems, breaker, servers, statuses))
        if errors(problems):
            raise SystemExit(1)
