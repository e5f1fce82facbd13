"""A small HTTP double of the Meilisearch endpoints Parley's backend uses.

Built from the API reference (https://www.meilisearch.com/docs/reference/api):
`GET /health`, `POST /indexes`, `PATCH /indexes/{uid}/settings`,
`POST /indexes/{uid}/documents`, `POST /indexes/{uid}/documents/delete`,
`DELETE /indexes/{uid}/documents`, `POST /indexes/{uid}/search` and
`GET /tasks/{uid}`, with Bearer-key authorisation, asynchronous task objects
(finished by the time they are returned), filters of `attr = value` /
`attr < number` joined by AND on filterable attributes only, the distinct
attribute, highlighting and cropping. Matching is simpler than Meilisearch's
(every query word is a case-insensitive substring of a searchable attribute;
no typo tolerance, ranking by order of insertion), which is all the tests need.
"""

from __future__ import annotations

import json
import re
import threading
from datetime import UTC, datetime
from http.server import ThreadingHTTPServer
from typing import Any

from tests.jsonhandler import JSONHandler

FILTER = re.compile(
    r'^\s*(\w+)\s*(=|!=|<|>|<=|>=)\s*("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|true|false)\s*$'
)


class MeiliDouble:
    def __init__(self, key: str = "test-master-key-0123456789") -> None:
        self.key = key
        self.indexes: dict[str, dict[str, Any]] = {}
        self.tasks: dict[int, dict[str, Any]] = {}
        self.requests: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> MeiliDouble:
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def documents(self, uid: str) -> dict[str, dict]:
        return self.indexes.get(uid, {}).get("documents", {})

    # --- the API --------------------------------------------------------
    def handle(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        self.requests.append((method, path))
        parts = path.split("?")[0].strip("/").split("/")
        if parts == ["health"]:
            return 200, {"status": "available"}
        if method == "GET" and parts[0] == "tasks" and len(parts) == 2:
            task = self.tasks.get(int(parts[1]))
            return (200, task) if task else _error(404, "task_not_found", "Task not found.")
        if method == "POST" and parts == ["indexes"]:
            return self._create_index(body)
        if len(parts) < 3 or parts[0] != "indexes":
            return _error(404, "not_found", f"No route {method} {path}.")
        uid, rest = parts[1], parts[2:]
        index = self.indexes.get(uid)
        if index is None:
            return _error(404, "index_not_found", f"Index `{uid}` not found.")
        if method == "PATCH" and rest == ["settings"]:
            index["settings"].update(body)
            return self._task(uid, "settingsUpdate")
        if method == "POST" and rest == ["documents"]:
            key = index["primaryKey"]
            for document in body:
                index["documents"][str(document[key])] = document
            return self._task(uid, "documentAdditionOrUpdate")
        if method == "POST" and rest == ["documents", "delete"]:
            try:
                matches = _compile(body.get("filter"), index["settings"])
            except ValueError as error:
                return self._task(uid, "documentDeletion", ("invalid_document_filter", str(error)))
            for doc_id in [k for k, d in index["documents"].items() if matches(d)]:
                del index["documents"][doc_id]
            return self._task(uid, "documentDeletion")
        if method == "DELETE" and rest == ["documents"]:
            index["documents"].clear()
            return self._task(uid, "documentDeletion")
        if method == "POST" and rest == ["search"]:
            return self._search(index, body)
        return _error(404, "not_found", f"No route {method} {path}.")

    def _create_index(self, body: dict) -> tuple[int, Any]:
        uid = body["uid"]
        if uid in self.indexes:
            return self._task(uid, "indexCreation", ("index_already_exists", f"`{uid}` exists."))
        self.indexes[uid] = {"primaryKey": body.get("primaryKey"), "settings": {}, "documents": {}}
        return self._task(uid, "indexCreation")

    def _task(self, uid: str, kind: str, error: tuple[str, str] | None = None) -> tuple[int, Any]:
        now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        number = len(self.tasks)
        failed = (
            {"code": error[0], "message": error[1], "type": "invalid_request"} if error else None
        )
        self.tasks[number] = {
            "uid": number, "indexUid": uid, "status": "failed" if error else "succeeded",
            "type": kind, "error": failed, "enqueuedAt": now, "startedAt": now, "finishedAt": now,
        }  # fmt: skip
        return 202, {"taskUid": number, "indexUid": uid, "status": "enqueued", "type": kind,
                     "enqueuedAt": now}  # fmt: skip

    def _search(self, index: dict, body: dict) -> tuple[int, Any]:
        settings = index["settings"]
        try:
            keep = _compile(body.get("filter"), settings)
        except ValueError as error:
            return _error(400, "invalid_search_filter", str(error))
        words = [w for w in (body.get("q") or "").lower().split() if w]
        fields = settings.get("searchableAttributes") or ["*"]
        found, seen = [], set()
        for document in index["documents"].values():
            text = " ".join(str(document.get(f, "")) for f in fields).lower()
            if not keep(document) or not all(w in text for w in words):
                continue
            distinct = settings.get("distinctAttribute")
            if distinct and document.get(distinct) in seen:
                continue
            seen.add(document.get(distinct))
            found.append(_formatted(document, words, body) if words else document)
        offset, limit = body.get("offset", 0), body.get("limit", 20)
        return 200, {"hits": found[offset : offset + limit], "query": body.get("q", ""),
                     "offset": offset, "limit": limit, "estimatedTotalHits": len(found),
                     "processingTimeMs": 0}  # fmt: skip


def _compile(expression: str | None, settings: dict):
    """A filter of `attr OP value` clauses joined by AND, on filterable attributes only."""
    if not expression:
        return lambda document: True
    clauses = []
    for clause in expression.split(" AND "):
        match = FILTER.match(clause)
        if not match:
            raise ValueError(f"Was expecting an operation at `{clause}`.")
        name, op, raw = match.groups()
        if name not in settings.get("filterableAttributes", []):
            raise ValueError(f"Attribute `{name}` is not filterable.")
        clauses.append((name, op, json.loads(raw)))
    operators = {
        "=": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
        ">": lambda a, b: a > b, "<=": lambda a, b: a <= b, ">=": lambda a, b: a >= b,
    }  # fmt: skip
    return lambda document: all(
        document.get(name) is not None and operators[op](document.get(name), value)
        for name, op, value in clauses
    )


def _formatted(document: dict, words: list[str], body: dict) -> dict:
    pre, post = body.get("highlightPreTag", "<em>"), body.get("highlightPostTag", "</em>")
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    formatted = dict(document)
    for name in body.get("attributesToCrop") or []:
        value = str(document.get(name, ""))
        first = pattern.search(value)
        start = max(0, first.start() - 40) if first else 0
        cropped = value[start : start + 4 * body.get("cropLength", 10)]
        marker = body.get("cropMarker", "…")
        formatted[name] = (
            (marker if start else "")
            + cropped
            + (marker if start + len(cropped) < len(value) else "")
        )
    for name in body.get("attributesToHighlight") or []:
        value = str(formatted.get(name, ""))
        formatted[name] = pattern.sub(lambda m: f"{pre}{m.group()}{post}", value)
    return {**document, "_formatted": formatted}


def _error(status: int, code: str, message: str) -> tuple[int, Any]:
    return status, {"message": message, "code": code, "type": "invalid_request",
                    "link": f"https://docs.meilisearch.com/errors#{code}"}  # fmt: skip


def _handler(double: MeiliDouble):
    class Handler(JSONHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"null") if length else None
            if (
                self.path != "/health"
                and self.headers.get("Authorization") != f"Bearer {double.key}"
            ):
                status, answer = _error(403, "invalid_api_key", "The provided API key is invalid.")
            else:
                with double.lock:
                    status, answer = double.handle(self.command, self.path, body)
            self.send_json(status, answer)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

    return Handler
