"""`manage.py check_channels`: check every endpoint's keys once now, as the scheduled task does."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from chatapp import channelchecks
from chatapp.models import ChannelCheck


class Command(BaseCommand):
    help = (
        "Send TEST_PROMPT to each endpoint and each of its keys once, record the results "
        "(admin: Channel checks) and print them; exit 1 when a key failed."
    )

    def handle(self, *args, **options) -> None:
        count = channelchecks.run()
        rows = list(ChannelCheck.objects.order_by("-checked_at")[:count])
        for row in sorted(rows, key=lambda r: (r.endpoint, r.channel)):
            outcome = "ok" if row.ok else f"failed: {row.error}"
            state = f"  (breaker: {row.state})" if row.state else ""
            self.stdout.write(f"{row.endpoint}  {row.channel}  {row.key}  {outcome}{state}")
        if not all(row.ok for row in rows):
            raise SystemExit(1)
