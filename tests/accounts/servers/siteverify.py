"""An HTTP double of Cloudflare Turnstile's siteverify endpoint, from its public API docs
(developers.cloudflare.com/turnstile/get-started/server-side-validation/).

`POST /turnstile/v0/siteverify` takes `secret`, `response` and optionally `remoteip` and
`idempotency_key`, form-encoded or as JSON, and answers JSON: `success`, `error-codes`
(`missing-input-secret`, `invalid-input-secret`, `missing-input-response`,
`invalid-input-response`, `timeout-or-duplicate`, `bad-request`), and on success
`challenge_ts`, `hostname`, `action` and `cdata`. A token is good once: a second use is
`timeout-or-duplicate`. Tokens are issued by `issue()`, as the widget would in a browser.
"""

from __future__ import annotations

import json
import secrets
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from tests.jsonhandler import JSONHandler

PATH = "/turnstile/v0/siteverify"


class SiteVerify:
    def __init__(self, secret: str, hostname: str = "testserver") -> None:
        self.secret = secret
        self.hostname = hostname  # the site the widget ran on, as Cloudflare reports it
        self.issued: set[str] = set()
        self.spent: set[str] = set()
        self.requests: list[dict[str, str]] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{PATH}"

    def start(self) -> SiteVerify:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def issue(self) -> str:
        token = f"0.{secrets.token_urlsafe(48)}"
        self.issued.add(token)
        return token

    def answer(self, fields: dict[str, str]) -> dict:
        self.requests.append(fields)
        secret, token = fields.get("secret", ""), fields.get("response", "")
        errors = []
        if not secret:
            errors.append("missing-input-secret")
        elif secret != self.secret:
            errors.append("invalid-input-secret")
        if not token:
            errors.append("missing-input-response")
        elif token in self.spent:
            errors.append("timeout-or-duplicate")
        elif token not in self.issued or len(token) > 2048:
            errors.append("invalid-input-response")
        if errors:
            return {"success": False, "error-codes": errors, "messages": []}
        self.issued.discard(token)
        self.spent.add(token)
        stamp = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        return {
            "success": True,
            "challenge_ts": stamp,
            "hostname": self.hostname,
            "error-codes": [],
            "action": "",
            "cdata": "",
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        double = self

        class Handler(JSONHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                if self.path != PATH:
                    return self.send_json(404, {"success": False, "error-codes": ["bad-request"]})
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    fields = {k: str(v) for k, v in json.loads(body or "{}").items()}
                else:
                    fields = {k: v[0] for k, v in parse_qs(body).items()}
                self.send_json(200, double.answer(fields))

        return Handler
