"""`python manage.py chat --endpoint NAME --model MODEL [--system T] [--param k=v] "PROMPT"`."""

from __future__ import annotations

import asyncio

from django.core.management.base import BaseCommand, CommandError, CommandParser

from endpoints import console, registry
from endpoints.adapters.base import ProviderError


class Command(BaseCommand):
    help = "Send one prompt to an endpoint and stream the reply (usage and cost on stderr)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("prompt")
        parser.add_argument("--endpoint", required=True, help="openAI, anthropic, or a custom name")
        parser.add_argument("--model", required=True)
        parser.add_argument("--system", default="", help="a system message")
        parser.add_argument("--param", action="append", default=[], metavar="KEY=VALUE")

    def handle(self, *args, **options) -> None:
        try:
            params = console.parse_params(options["param"])
            turn = asyncio.run(
                console.chat(
                    registry.current(), options["endpoint"], options["model"], options["prompt"],
                    system=options["system"], params=params,
                    on_text=self._out, on_reasoning=self._thought,
                )
            )  # fmt: skip
        except (ProviderError, registry.UnknownEndpoint, ValueError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write("")
        usage = turn.usage
        cost = "unknown" if turn.cost is None else f"${turn.cost:.6f}"
        self.stderr.write(
            f"[{turn.finish}] prompt {usage.prompt_tokens} + completion "
            f"{usage.completion_tokens} tokens (cache read {usage.cache_read_tokens}, "
            f"write {usage.cache_write_tokens}); cost {cost}"
        )

    def _out(self, text: str) -> None:
        self.stdout.write(text, ending="")
        self.stdout.flush()

    def _thought(self, text: str) -> None:
        self.stderr.write(text, ending="")
        self.stderr.flush()
