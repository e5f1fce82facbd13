"""`python manage.py mockprovider --port N`: the local mock LLM provider (docs/mock-provider.md)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from endpoints.mock import Behaviour, Countdown, Failure, MockProvider
from endpoints.mock.app import MockApp


class Command(BaseCommand):
    help = "Serve the mock provider (OpenAI, Azure, Anthropic, Gemini, Bedrock wire formats)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8089, help="0: any free port")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--ttft-ms", type=float, default=0.0, help="time to first token")
        parser.add_argument("--tokens-per-second", type=float, default=0.0, help="0: unpaced")
        parser.add_argument("--reply-tokens", type=int, default=12, help="words per reply")
        parser.add_argument("--fail", choices=[f.value for f in Failure], help="inject a failure")
        parser.add_argument(
            "--fail-key",
            action="append",
            default=[],
            metavar="KEY=FAILURE",
            help="requests sent with API key KEY fail so (fail-over trials); repeatable",
        )

    def handle(self, *args, **options) -> None:
        behaviour = Behaviour(
            ttft_ms=options["ttft_ms"],
            tokens_per_second=options["tokens_per_second"],
            reply_tokens=options["reply_tokens"],
            failure=Failure(options["fail"]) if options["fail"] else None,
            key_failures={key: Countdown(failure) for key, failure in _pairs(options["fail_key"])},
        )
        server = MockProvider(MockApp(behaviour), options["host"], options["port"]).start()
        self.stdout.write(f"mock provider on {server.url}")
        self.stdout.flush()
        server.wait()


def _pairs(values: list[str]) -> list[tuple[str, Failure]]:
    pairs = []
    for value in values:
        key, _, failure = value.rpartition("=")
        try:
            pairs.append((key, Failure(failure)))
        except ValueError:
            known = ", ".join(f.value for f in Failure)
            raise CommandError(f"--fail-key {value!r}: FAILURE must be one of {known}") from None
    return pairs
