"""HTTP doubles of the web search services, written from their public API documents, and
real pages for the local scraper, all served by one loopback server.

- SearXNG `GET /searxng/search?q=&format=json` (docs.searxng.org, Search API): `results`
  of `{url, title, content, engine, engines, score, category}`, with `answers`,
  `suggestions`, `unresponsive_engines`.
- Serper `POST /serper/search` (`X-API-KEY`, `{q, num}` -> `organic` of `{title, link,
  snippet, position}`) and `POST /serper/scrape` (`{url, includeMarkdown}` -> `{text,
  markdown, metadata}`).
- Tavily `POST /tavily/search` (`Authorization: Bearer`, `{query, max_results, ...}` ->
  `results` of `{title, url, content, score}`) and `POST /tavily/extract` (`{urls}` ->
  `results` of `{url, raw_content}` and `failed_results` of `{url, error}`).
- Firecrawl `POST /firecrawl/v1/scrape` and `/firecrawl/v2/scrape` (`{url, formats}` ->
  `{success, data: {markdown, metadata: {title, sourceURL, statusCode}}}`).
- Jina `POST /jina/v1/rerank` and Cohere `POST /cohere/v2/rerank` (`{model, query,
  documents, top_n}` -> `results` of `{index, relevance_score}`).

`fail[service] = 429 | 500 | "slow" | "empty"` makes a service misbehave. Pages live under
`/pages/<slug>`; some are bad on purpose (huge, binary, PDF, a redirect to a private
address, one that never finishes).
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.jsonhandler import JSONHandler

KEYS = {
    "serper": "serper-key",
    "tavily": "tvly-key",
    "firecrawl": "fc-key",
    "jina": "jina-key",
    "cohere": "cohere-key",
}
PAGES = {
    "bees": (
        "How bees make honey",
        "Bees collect nectar from flowers and turn it into honey inside the hive. "
        "Worker bees fan the nectar with their wings until the water evaporates.",
    ),
    "hives": (
        "Keeping hives through winter",
        "A colony keeps its hive warm in winter by clustering. Beekeepers leave honey "
        "for the bees so the colony survives until spring; honey is their winter food.",
    ),
    "tides": (
        "Why the sea has tides",
        "Tides rise and fall twice a day because the moon pulls on the oceans.",
    ),
}
PAGE_TEMPLATE = (
    "<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head><body>"
    "<nav><a href='/'>Home</a> <a href='/about'>About</a></nav>"
    "<article><h1>{title}</h1><p>{text}</p><p>{text}</p></article>"
    "<footer>Copyright the example site</footer></body></html>"
)
WORD = re.compile(r"\w+")


def words(text: str) -> set[str]:
    return {w.lower() for w in WORD.findall(text)}


class Doubles:
    def __init__(self) -> None:
        self.fail: dict[str, Any] = {}
        self.requests: list[tuple[str, dict[str, Any], dict[str, str]]] = []
        self.release = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def host_port(self) -> str:
        return f"127.0.0.1:{self.server.server_address[1]}"

    def page_url(self, slug: str) -> str:
        return f"{self.base}/pages/{slug}"

    def start(self) -> Doubles:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def paths(self) -> list[str]:
        return [path for path, _body, _headers in self.requests]

    # The index every search double answers from: corpus pages matching a query word,
    # plus any slug the test listed in `extra` (the bad pages).
    extra: tuple[str, ...] = ()

    def matches(self, query: str) -> list[tuple[str, str, str]]:
        asked = words(query)
        found = [
            (self.page_url(slug), title, text[:80])
            for slug, (title, text) in PAGES.items()
            if asked & words(title + " " + text)
        ]
        return found + [(self.page_url(s), f"The {s} page", f"About {s}") for s in self.extra]

    def page_text(self, url: str) -> tuple[str, str] | None:
        slug = url.rsplit("/", 1)[-1]
        if not url.startswith(self.base) or slug not in PAGES:
            return None
        return PAGES[slug]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        double = self

        class Handler(JSONHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                parts = urlsplit(self.path)
                double.requests.append((parts.path, parse_qs(parts.query), dict(self.headers)))
                if parts.path == "/searxng/search":
                    return self._service("searxng", lambda: double.searxng(parse_qs(parts.query)))
                if parts.path.startswith("/pages/"):
                    return double.serve_page(self, parts.path.removeprefix("/pages/"))
                self.send_json(404, {"error": "not found"})

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                double.requests.append((self.path, body, dict(self.headers)))
                route = ROUTES.get(self.path)
                if route is None:
                    return self.send_json(404, {"error": "not found"})
                service, answer = route
                if not double.authorised(service, self.headers):
                    return self.send_json(401, {"error": "Unauthorized: invalid API key"})
                self._service(service, lambda: answer(double, body))

            def _service(self, service: str, answer) -> None:
                mode = double.fail.get(service)
                if isinstance(mode, int):
                    return self.send_json(mode, {"error": f"HTTP {mode} from the double"})
                if mode == "slow":
                    double.release.wait(30)
                self.send_json(200, answer())

        return Handler

    def authorised(self, service: str, headers) -> bool:
        key = KEYS[service]
        if service == "serper":
            return headers.get("X-API-KEY") == key
        return headers.get("Authorization") == f"Bearer {key}"

    # --- the services -----------------------------------------------------------------

    def searxng(self, query: dict[str, list[str]]) -> dict:
        q = query.get("q", [""])[0]
        found = [] if self.fail.get("searxng") == "empty" else self.matches(q)
        results = [
            {
                "url": url,
                "title": title,
                "content": snippet,
                "engine": "duckduckgo",
                "engines": ["duckduckgo"],
                "score": 1.0 / (n + 1),
                "category": "general",
            }
            for n, (url, title, snippet) in enumerate(found)
        ]
        return {
            "query": q,
            "number_of_results": len(results),
            "results": results,
            "answers": [],
            "corrections": [],
            "infoboxes": [],
            "suggestions": [],
            "unresponsive_engines": [],
        }

    def serper_search(self, body: dict) -> dict:
        found = [] if self.fail.get("serper") == "empty" else self.matches(body.get("q", ""))
        organic = [
            {"title": t, "link": u, "snippet": s, "position": n}
            for n, (u, t, s) in enumerate(found[: body.get("num", 10)], 1)
        ]
        parameters = {"q": body.get("q"), "type": "search", "engine": "google"}
        return {"searchParameters": parameters, "organic": organic, "credits": 1}

    def serper_scrape(self, body: dict) -> dict:
        page = self.page_text(body.get("url", ""))
        if page is None:
            return {"text": "", "metadata": {}, "credits": 1}
        title, text = page
        markdown = f"# {title}\n\n{text}" if body.get("includeMarkdown") else None
        answer = {"text": f"{title}\n{text}", "metadata": {"title": title}, "credits": 1}
        return answer | ({"markdown": markdown} if markdown else {})

    def tavily_search(self, body: dict) -> dict:
        found = [] if self.fail.get("tavily") == "empty" else self.matches(body.get("query", ""))
        results = [
            {"title": t, "url": u, "content": s, "score": 0.9 - n / 10, "raw_content": None}
            for n, (u, t, s) in enumerate(found[: body.get("max_results", 5)])
        ]
        query = body.get("query")
        return {"query": query, "answer": None, "images": [], "results": results}

    def tavily_extract(self, body: dict) -> dict:
        results, failed = [], []
        for url in body.get("urls", []):
            page = self.page_text(url)
            if page is None:
                failed.append({"url": url, "error": "Failed to fetch url"})
            else:
                results.append({"url": url, "raw_content": f"# {page[0]}\n\n{page[1]}"})
        return {"results": results, "failed_results": failed, "response_time": 0.01}

    def firecrawl(self, body: dict) -> dict:
        page = self.page_text(body.get("url", ""))
        if page is None:
            return {"success": False, "error": "Request failed: the page could not be loaded"}
        title, text = page
        metadata = {"title": title, "sourceURL": body["url"], "statusCode": 200}
        return {"success": True, "data": {"markdown": f"# {title}\n\n{text}", "metadata": metadata}}

    def rerank(self, body: dict, service: str) -> dict:
        """Scores by how many query words a document holds: not the search order."""
        asked = words(body.get("query", ""))
        docs = body.get("documents", [])
        scored = sorted(
            (
                {"index": i, "relevance_score": len(asked & words(d)) / 10}
                for i, d in enumerate(docs)
            ),
            key=lambda r: -r["relevance_score"],
        )[: body.get("top_n", len(docs))]
        if service == "jina":
            usage = {"total_tokens": sum(len(d.split()) for d in docs)}
            return {"model": body.get("model"), "usage": usage, "results": scored}
        meta = {"api_version": {"version": "2"}, "billed_units": {"search_units": 1}}
        return {"id": "rerank-double", "results": scored, "meta": meta}

    # --- pages for the local scraper --------------------------------------------------

    def serve_page(self, handler: BaseHTTPRequestHandler, slug: str) -> None:
        if slug in PAGES:
            title, text = PAGES[slug]
            return _send(
                handler,
                200,
                "text/html; charset=utf-8",
                PAGE_TEMPLATE.format(title=title, text=text).encode(),
            )
        if slug == "huge":
            return _send(handler, 200, "text/html", b"<p>" + b"x" * (3 * 1024 * 1024) + b"</p>")
        if slug == "binary":
            return _send(handler, 200, "image/png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
        if slug == "pdf":
            return _send(handler, 200, "application/pdf", b"%PDF-1.7\n")
        if slug == "disguised":
            return _send(handler, 200, "text/html", b"\x00\x01\x02binary")
        if slug == "private":
            port = self.server.server_address[1]
            handler.send_response(302)
            handler.send_header("Location", f"http://127.0.0.2:{port}/pages/bees")
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return None
        if slug == "hang":
            handler.send_response(200)
            handler.send_header("Content-Type", "text/html")
            handler.send_header("Content-Length", "100000")
            handler.end_headers()
            handler.wfile.write(b"<html><body><p>This page never finishes")
            handler.wfile.flush()
            self.release.wait(30)
            return None
        _send(handler, 404, "text/html", b"<h1>Not found</h1>")
        return None


def _send(handler: BaseHTTPRequestHandler, status: int, kind: str, body: bytes) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", kind)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


ROUTES = {
    "/serper/search": ("serper", Doubles.serper_search),
    "/serper/scrape": ("serper", Doubles.serper_scrape),
    "/tavily/search": ("tavily", Doubles.tavily_search),
    "/tavily/extract": ("tavily", Doubles.tavily_extract),
    "/firecrawl/v1/scrape": ("firecrawl", Doubles.firecrawl),
    "/firecrawl/v2/scrape": ("firecrawl", Doubles.firecrawl),
    "/jina/v1/rerank": ("jina", lambda d, body: d.rerank(body, "jina")),
    "/cohere/v2/rerank": ("cohere", lambda d, body: d.rerank(body, "cohere")),
}
