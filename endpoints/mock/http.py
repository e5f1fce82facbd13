"""The few HTTP pieces the mock's wire formats share: requests, responses, frames."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from .behaviour import RecordedRequest


@dataclass(frozen=True)
class Frame:
    """One piece of a streamed body. Content frames carry reply text and are paced.

    A frame is encoded when it is sent (`body` a function): encoding a whole reply when its
    request arrived took the mock's event loop 3 ms for 300 tokens, and in a burst the
    requests behind it were read, and stamped as arrived, that much later (bench/README.md)."""

    body: bytes | Callable[[], bytes]
    content: bool = False

    @property
    def data(self) -> bytes:
        return self.body if isinstance(self.body, bytes) else self.body()


@dataclass
class Response:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    frames: Iterable[Frame] | None = None  # set for a streamed body (made as it is sent)
    malformed: bytes = b""  # what to slip into the stream when malformed chunks are injected
    disconnect: bool = False  # drop the connection half way through the content
    stall: float = 0.0  # seconds to wait before `hangup`
    hangup: bool = False  # drop the connection before any reply (nothing else is sent)


def dumps(payload: Any) -> str:
    """Compact JSON with UTF-8 text, as the providers send it."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


def json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(
        status,
        {"content-type": "application/json", **(headers or {})},
        dumps(payload).encode(),
    )


def sse(payload: Any, event: str | None = None, *, content: bool = False) -> Frame:
    """A server-sent event in the `event:`/`data:` form the providers use."""
    return Frame(partial(_sse_bytes, payload, event), content)


def _sse_bytes(payload: Any, event: str | None) -> bytes:
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {dumps(payload)}\n\n".encode()


def body_json(request: RecordedRequest) -> dict[str, Any]:
    return request.body if isinstance(request.body, dict) else {}
