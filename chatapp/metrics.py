"""What an operator watches, in Prometheus's format: `GET /metrics` (docs/deployment.md).

The figures are per web process (each process serves its own; scrape every
one), as `bench/stream_load.py` measures them: a turn's clock starts when its
frame arrives, so the time to the provider and to the first token include the
guards, the saves and any queueing inside Parley.
"""

from __future__ import annotations

import hmac

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

# Seconds: a quiet turn takes a few milliseconds; a burst can queue for seconds.
LATENCY = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)

turns = Counter("parley_turns", "Turns accepted (send, regenerate, edit)", ["kind"])
active_streams = Gauge("parley_active_streams", "Generations running in this process")
time_to_provider = Histogram(
    "parley_time_to_provider_seconds",
    "From a turn's frame arriving to its request being handed to the provider's SDK",
    buckets=LATENCY,
)
time_to_first_token = Histogram(
    "parley_time_to_first_token_seconds",
    "From a turn's frame arriving to its first text being sent to the sockets",
    buckets=LATENCY,
)
tokens = Counter("parley_tokens", "Tokens of finished responses, as billed", ["kind"])
tool_steps = Counter("parley_tool_steps", "Tool steps ended, by how", ["state"])
errors = Counter(
    "parley_errors",
    "Turns refused before any provider call (stage=refused, by code) and generations "
    "ended by a provider error (stage=provider, by kind)",
    ["stage", "kind"],
)

CONTENT_TYPE = CONTENT_TYPE_LATEST


def exposition() -> bytes:
    """Every figure of this process, in the text format."""
    return generate_latest()


def may_read(token: str, authorization: str, is_staff: bool) -> bool:
    """Staff, or a scraper that presents `METRICS_TOKEN` as a bearer token."""
    if is_staff:
        return True
    scheme, _, presented = authorization.partition(" ")
    return bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(presented, token)
