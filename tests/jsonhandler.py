"""The request handler the tests' HTTP doubles share (Turnstile's siteverify, the web
search providers, Meilisearch): JSON answers with their length, and a quiet log."""

from __future__ import annotations

import json
import logging
from http.server import BaseHTTPRequestHandler
from typing import Any


class JSONHandler(BaseHTTPRequestHandler):
    def send_json(self, status: int, payload: Any) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (http.server's name)
        # To the test's log (pytest shows it on failure), not to stderr.
        logging.getLogger("tests.doubles").debug(format, *args)
