"""What a client saw of each reply, compared with what the mock provider sent and when.

Times are wall-clock seconds (`time.time()`), comparable between the harness
and the mock provider because both run on the same machine.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Stream:
    """One reply as a client received it."""

    prompt: str
    sent_at: float = 0.0
    arrivals: list[float] = field(default_factory=list)  # one per frame that carried text
    pieces: list[str] = field(default_factory=list)
    final_text: str | None = None  # Parley's `final.message.text`; the SDK has none
    finished_at: float | None = None  # the `final` frame, or the SDK stream's end
    in_order: bool = True  # every delta's offset equalled the characters received before it
    error: str | None = None

    @property
    def text(self) -> str:
        return "".join(self.pieces)

    def received(self, text: str, at: float, offset: int | None = None) -> None:
        if offset is not None and offset != sum(map(len, self.pieces)):
            self.in_order = False
        self.pieces.append(text)
        self.arrivals.append(at)


@dataclass(frozen=True)
class Measured:
    """One stream's figures: latency added to the mock's own, in milliseconds."""

    e2e_ttft_ms: float | None  # send → first text at the client, less the mock's own ttft
    to_provider_ms: float | None  # send → the request reaching the mock
    added_ttft_ms: float | None  # first text at the client − the mock's first content chunk
    added_last_ms: float | None  # last text at the client − the mock's last content chunk
    added_finish_ms: float | None  # `final` frame (SDK: stream end) − the mock's last chunk
    gaps_ms: list[float]  # between consecutive frames carrying text
    text_ok: bool  # every character, in order, equal to what the mock sent
    tokens: int  # the mock's content chunks that reached the client (pro rata of the text)
    error: str | None


def measure(stream: Stream, sent: Mapping[str, Any] | None) -> Measured:
    """Compare one stream with the mock's log entry for its prompt (None: never streamed)."""
    if sent is None:
        error = stream.error or "the mock provider never streamed this prompt"
        return Measured(None, None, None, None, None, [], False, 0, error)
    arrivals = stream.arrivals
    expected = sent["text"]
    final_ok = stream.final_text is None or stream.final_text == expected
    provider_ttft = sent["first_content_at"] - sent["received_at"]
    return Measured(
        e2e_ttft_ms=_ms(arrivals[0] - stream.sent_at - provider_ttft) if arrivals else None,
        to_provider_ms=_ms(sent["received_at"] - stream.sent_at),
        added_ttft_ms=_ms(arrivals[0] - sent["first_content_at"]) if arrivals else None,
        added_last_ms=_ms(arrivals[-1] - sent["last_content_at"]) if arrivals else None,
        added_finish_ms=_since(stream.finished_at, sent["last_content_at"]),
        gaps_ms=[_ms(b - a) for a, b in zip(arrivals, arrivals[1:], strict=False)],
        text_ok=stream.error is None and stream.in_order and stream.text == expected and final_ok,
        tokens=round(sent["content_chunks"] * min(1.0, len(stream.text) / max(1, len(expected)))),
        error=stream.error,
    )


def summarize(measured: list[Measured]) -> dict[str, Any]:
    return {
        "streams": len(measured),
        "ok": sum(m.text_ok for m in measured),
        "errors": sum(m.error is not None for m in measured),
        "text_mismatches": sum(not m.text_ok and m.error is None for m in measured),
        "tokens": sum(m.tokens for m in measured),
        "e2e_ttft_ms": percentiles(m.e2e_ttft_ms for m in measured),
        "to_provider_ms": percentiles(m.to_provider_ms for m in measured),
        "added_ttft_ms": percentiles(m.added_ttft_ms for m in measured),
        "added_last_token_ms": percentiles(m.added_last_ms for m in measured),
        "added_finish_ms": percentiles(m.added_finish_ms for m in measured),
        "gap_ms": percentiles(gap for m in measured for gap in m.gaps_ms),
        "error_samples": sorted({m.error for m in measured if m.error})[:5],
    }


def percentiles(values: Iterable[float | None]) -> dict[str, float] | None:
    """Nearest-rank percentiles of the values present; None when there are none."""
    ordered = sorted(v for v in values if v is not None)
    if not ordered:
        return None

    def rank(p: float) -> float:
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]

    summary = {"p50": rank(50), "p90": rank(90), "p99": rank(99), "max": ordered[-1]}
    summary["mean"] = sum(ordered) / len(ordered)
    return {key: round(value, 2) for key, value in summary.items()}


def _ms(seconds: float) -> float:
    return seconds * 1000


def _since(at: float | None, reference: float) -> float | None:
    return None if at is None else _ms(at - reference)
