"""Serve the mock provider with uvicorn, in the foreground or in a background thread."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

import uvicorn

from .app import MockApp
from .behaviour import Behaviour, Countdown, Failure, RecordedRequest


class _QuietDisconnects(logging.Filter):
    """An injected disconnect is the point of the test, not an error worth a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "injected" not in str(record.exc_info and record.exc_info[1])


def config(app: MockApp, host: str, port: int) -> uvicorn.Config:
    logging.getLogger("uvicorn.error").addFilter(_QuietDisconnects())
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        lifespan="off",
        access_log=False,
        timeout_graceful_shutdown=1,
    )


@dataclass
class MockProvider:
    """A running mock provider: its URLs, its behaviour (mutable) and what it received."""

    app: MockApp = field(default_factory=MockApp)
    host: str = "127.0.0.1"
    port: int = 0
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = None

    @property
    def behaviour(self) -> Behaviour:
        return self.app.behaviour

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def openai_url(self) -> str:
        return f"{self.url}/v1"

    @property
    def requests(self) -> list[RecordedRequest]:
        return self.app.recorder.all()

    @property
    def last_request(self) -> RecordedRequest:
        return self.requests[-1]

    def fail(self, failure: Failure | str | None, count: int | None = None) -> None:
        """Inject a failure for the next `count` requests (every request when None)."""
        self.behaviour.failure = Failure(failure) if failure else None
        self.behaviour.failure_count = count

    def fail_key(self, key: str, failure: Failure | str, count: int | None = None) -> None:
        """Requests sent with API key `key` fail (the next `count` of them; None: all)."""
        self.behaviour.key_failures[key] = Countdown(Failure(failure), count)

    def reset(self) -> None:
        self.app.behaviour = Behaviour()
        self.app.recorder.clear()

    def start(self) -> MockProvider:
        self._server = uvicorn.Server(config(self.app, self.host, self.port))
        self._thread = threading.Thread(target=self._server.run, name="mock-provider", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the mock provider did not start")
            time.sleep(0.01)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        if self._server and self._thread:
            self._server.should_exit = True
            self._thread.join(timeout=5)

    def wait(self) -> None:
        """Block until the server stops (Ctrl-C stops it)."""
        try:
            while self._thread and self._thread.is_alive():
                self._thread.join(timeout=0.5)
        except KeyboardInterrupt:
            self.stop()
