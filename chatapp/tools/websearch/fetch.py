"""Parley's own page fetch for the local scraper: through the SSRF guard (private
addresses refused unless in webSearch.allowedAddresses), every redirect checked again,
web pages only (HTML or plain text), at most MAX_BYTES, never past the caller's timeout."""

from __future__ import annotations

from urllib.parse import urljoin

import httpx

from chatapp.tools.websearch.http import Failed, reason_for
from endpoints import addresses

MAX_BYTES = 2 * 1024 * 1024
MAX_REDIRECTS = 5
PAGE_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
SETTING = "webSearch.allowedAddresses"
HEADERS = {"User-Agent": "Parley web search", "Accept": "text/html,text/plain;q=0.9"}


async def fetch(client: httpx.AsyncClient, url: str, allowed: frozenset[str]) -> tuple[str, str]:
    """(the final URL, the page's text), or Failed with the reason."""
    for _hop in range(MAX_REDIRECTS + 1):
        try:
            await addresses.acheck(url, allowed, SETTING)
        except addresses.Refused as refusal:
            raise Failed(f"refused: {refusal}") from refusal
        try:
            async with client.stream("GET", url, headers=HEADERS) as response:
                if response.is_redirect and "location" in response.headers:
                    url = urljoin(url, response.headers["location"])
                    continue
                return url, await _page(response)
        except httpx.TimeoutException as error:
            raise Failed("the page did not answer in time") from error
        except httpx.HTTPError as error:
            raise Failed(f"the page could not be read ({type(error).__name__})") from error
    raise Failed(f"more than {MAX_REDIRECTS} redirects")


async def _page(response: httpx.Response) -> str:
    if response.status_code >= 400:
        raise Failed(f"the page {reason_for(response.status_code)}")
    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in PAGE_TYPES:
        raise Failed(f"not a web page ({kind or 'no content type'})")
    if int(response.headers.get("content-length") or 0) > MAX_BYTES:
        raise Failed(f"the page is larger than {MAX_BYTES // 1024 // 1024} MB")
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) > MAX_BYTES:
            raise Failed(f"the page is larger than {MAX_BYTES // 1024 // 1024} MB")
    if b"\x00" in body[:4096]:
        raise Failed("the page is binary, not text")
    return body.decode(response.encoding or "utf-8", errors="replace")
