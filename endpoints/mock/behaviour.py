"""What the mock provider does: its settable behaviour and the requests it saw."""

from __future__ import annotations

import re
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
    HANGUP = "hangup"  # the connection drops before any reply (no status line at all)
    STALL = "stall"  # nothing is sent for `stall_seconds` (a client's timeout fires first)


@dataclass
class Countdown:
    """A failure for the next `count` requests (None: every request)."""

    failure: Failure
    count: int | None = None

    def take(self) -> Failure | None:
        if self.count is not None:
            if self.count <= 0:
                return None
            self.count -= 1
        return self.failure


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
    # Failures by API key (fail-over tests): a key listed here fails as set; once its
    # count runs out, or for any other key, `failure` applies.
    key_failures: dict[str, Countdown] = field(default_factory=dict)
    stall_seconds: float = 5.0
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
    # The thoughtSignatures the Gemini wire put on its calls, by call (gemini_wire.key): a
    # later request of the same turn must send them back.
    signatures: dict[str, set[bytes]] = field(default_factory=dict)

    def reported(self, name: str, true: int) -> Any:
        """The usage figure to send for `name`: the lie set in `usage`, else the truth."""
        return self.usage.get(name, true)

    def take_failure(self, key: str | None = None) -> Failure | None:
        """The failure for this request (sent with API key `key`), counting down."""
        own = self.key_failures.get(key) if key else None
        if own is not None and (failure := own.take()) is not None:
            return failure
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

    @property
    def api_key(self) -> str | None:
        """The key the client sent, in whichever header or query its wire format uses."""
        bearer = self.header("authorization") or ""
        if bearer.lower().startswith("bearer "):
            return bearer[7:].strip()
        if signed := re.search(r"Credential=([^/,]+)", bearer):  # AWS SigV4: the key id
            return signed[1]
        for name in ("x-api-key", "api-key", "x-goog-api-key"):
            if value := self.header(name):
                return value
        return self.query.get("key")


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
