"""What the mock provider does: its settable behaviour and the requests it saw."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Failure(StrEnum):
    """Failures the mock can inject, each rendered in the wire format's own error shape."""

    AUTH = "401"
    RATE_LIMIT = "429"
    SERVER = "500"
    DISCONNECT = "disconnect"  # the connection drops after half of the reply
    MALFORMED = "malformed"  # a well-framed chunk of the wrong shape mid-stream
    CONTEXT = "context"  # the prompt is too long for the model
    UNKNOWN_MODEL = "unknown_model"


@dataclass
class Behaviour:
    """Settable from tests (the fixture) and from `manage.py mockprovider` flags."""

    ttft_ms: float = 0.0
    tokens_per_second: float = 0.0  # 0 = as fast as possible
    reply_tokens: int = 12
    failure: Failure | None = None
    # How many requests fail before the mock recovers; None = every request.
    failure_count: int | None = None
    retry_after: int = 1  # seconds, sent with 429
    # OpenAI-compatible servers differ in where streamed reasoning goes.
    reasoning_key: str = "reasoning_content"
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    # A provider that lies about usage (billing tests): figures by neutral name (`prompt`,
    # `completion`, `cache_read`, `cache_write`) sent instead of the true ones, any JSON
    # value; `omit_usage` sends no usage at all.
    usage: dict[str, Any] = field(default_factory=dict)
    omit_usage: bool = False
    models: list[str] = field(default_factory=lambda: ["mock-small", "mock-large", "mock-reasoner"])

    def reported(self, name: str, true: int) -> Any:
        """The usage figure to send for `name`: the lie set in `usage`, else the truth."""
        return self.usage.get(name, true)

    def take_failure(self) -> Failure | None:
        """The failure for this request, counting down `failure_count`."""
        if self.failure is None:
            return None
        if self.failure_count is not None:
            if self.failure_count <= 0:
                return None
            self.failure_count -= 1
        return self.failure


@dataclass
class Sent:
    """What the mock streamed for one request, and when (wall clock, `time.time()`).

    The benchmarks compare these times with a client's, in another process on
    the same machine, to measure the latency Parley adds to the provider's own.
    """

    prompt: str = ""  # the last user message
    received_at: float | None = None  # when the request reached the mock
    text: str = ""  # the reply text planned and streamed
    first_content_at: float | None = None  # just before the first content chunk went out
    last_content_at: float | None = None
    content_chunks: int = 0

    def content_sent(self, at: float) -> None:
        if self.first_content_at is None:
            self.first_content_at = at
        self.last_content_at = at
        self.content_chunks += 1


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-cased names
    body: Any  # parsed JSON, or None
    sent: Sent = field(default_factory=Sent, compare=False)  # filled while the reply streams

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class Recorder:
    """The latest requests, thread-safe (the server runs in its own thread).

    Bounded, so a long `manage.py mockprovider` run under a benchmark keeps
    constant memory; tests see far fewer requests than the bound.
    """

    def __init__(self, limit: int = 10_000) -> None:
        self._lock = threading.Lock()
        self._requests: deque[RecordedRequest] = deque(maxlen=limit)

    def add(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def all(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def clear(self) -> None:
        with self._lock:
            self._requests.clear()
