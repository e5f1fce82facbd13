"""Wait until Parley's processes are idle: no generation running, no database unit.

A warm-up turn's `final` frame arrives before its generation ends: the final save and
the billing run after it (chatapp.engine.settlement). A burst sent at that moment
shared the servers with them, which put a few milliseconds on a one-user run that no
user who presses send after reading a reply waits for. The servers' own `/metrics`
(chatapp.metrics) tell when that work is over.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

import httpx

TOKEN = "bench-metrics"  # METRICS_TOKEN of the servers the harness starts
BUSY = ("parley_active_streams", "parley_database_units")
PATIENCE_S = 30.0


async def settled(bases: Sequence[str], patience: float = PATIENCE_S) -> None:
    """Return once every server at `bases` (http://host:port) reports nothing running."""
    deadline = time.monotonic() + patience
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with httpx.AsyncClient(headers=headers, timeout=5) as http:
        for base in bases:
            while busy(await _metrics(http, base)):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{base} still busy after {patience:.0f} s")
                await asyncio.sleep(0.01)


def busy(exposition: str) -> bool:
    """Whether a Prometheus exposition shows a generation or a database unit running."""
    for line in exposition.splitlines():
        name, _, value = line.partition(" ")
        if name in BUSY and float(value) > 0:
            return True
    return False


async def _metrics(http: httpx.AsyncClient, base: str) -> str:
    response = await http.get(f"{base}/metrics")
    response.raise_for_status()
    return response.text
