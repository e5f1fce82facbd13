"""websearch.fetch: the local scraper's guarded fetch against real pages on loopback."""

from __future__ import annotations

import httpx
import pytest

from chatapp.tools.websearch.fetch import fetch
from chatapp.tools.websearch.http import Failed


async def get(doubles, slug: str, allowed: frozenset[str] | None = None):
    allowed = frozenset({doubles.host_port}) if allowed is None else allowed
    async with httpx.AsyncClient(timeout=5) as client:
        return await fetch(client, doubles.page_url(slug), allowed)


async def test_a_page_is_read(doubles) -> None:
    url, html = await get(doubles, "bees")
    assert url == doubles.page_url("bees") and "Worker bees" in html


async def test_loopback_is_refused_unless_allowed(doubles) -> None:
    with pytest.raises(Failed) as caught:
        await get(doubles, "bees", allowed=frozenset())
    assert "loopback address" in str(caught.value)
    assert f'"{doubles.host_port}" to webSearch.allowedAddresses' in str(caught.value)


async def test_a_redirect_to_a_private_address_is_checked_again(doubles) -> None:
    with pytest.raises(Failed, match="127.0.0.2, a loopback address"):
        await get(doubles, "private")


@pytest.mark.parametrize(
    ("slug", "reason"),
    [
        ("huge", "the page is larger than 2 MB"),
        ("binary", r"not a web page \(image/png\)"),
        ("pdf", r"not a web page \(application/pdf\)"),
        ("disguised", "the page is binary, not text"),
        ("missing", r"the page answered HTTP 404"),
    ],
)
async def test_bad_pages_fail_with_their_reason(doubles, slug, reason) -> None:
    with pytest.raises(Failed, match=reason):
        await get(doubles, slug)
