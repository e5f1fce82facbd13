"""The usage pages' shared view logic: a period and grouping from the query string, the
figures of accounts.usage, and the CSV export. The admin's dashboard and a user's own
usage page both render from `context(...)`.
"""

from __future__ import annotations

import csv
from typing import Any

from django.http import HttpRequest, HttpResponse

from accounts import usage
from accounts.models import User

MEASURES = (("requests", "Requests"), ("tokens", "Tokens"), ("cost", "Cost (USD)"))


def context(request: HttpRequest, user: User | None = None, default_by: str = "user") -> dict:
    period = usage.Period.parse(request.GET.get("start"), request.GET.get("end"))
    by = request.GET.get("by") if request.GET.get("by") in usage.GROUPS else default_by
    rows = usage.daily(period, by, user)
    charts = [(label, usage.bars(rows, period, measure)) for measure, label in MEASURES]
    return {
        "period": period,
        "by": by,
        "groups": list(usage.GROUPS),
        "rows": rows,
        "charts": charts,
        "top_users": [] if user else usage.top(period, "user"),
        "top_models": usage.top(period, "model", user=user),
        "totals": _totals(rows),
    }


def _totals(rows: list[usage.Row]) -> dict[str, Any]:
    return {
        "requests": sum(row.requests for row in rows),
        "tokens": sum(row.tokens for row in rows),
        "cost": sum((row.cost for row in rows), usage.Decimal(0)),
    }


def csv_response(rows: list[usage.Row], by: str, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(["day", by, "requests", "tokens", "cost_usd"])
    for row in rows:
        writer.writerow([row.day, _cell(row.group), row.requests, row.tokens, f"{row.cost:f}"])
    return response


def _cell(text: str) -> str:
    """A cell a spreadsheet never runs as a formula (CSV injection)."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") and text != "—" else text
