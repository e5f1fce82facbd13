"""The few HTTP helpers every web search stage shares: one failure type whose text is
fit for the model and the user, and a JSON call that raises it."""

from __future__ import annotations

from typing import Any

import httpx

REASONS = {
    401: "refused the key (HTTP 401)",
    403: "refused the key (HTTP 403)",
    429: "is rate limiting requests (HTTP 429)",
}


class Failed(Exception):
    """A stage or a page that failed; `str()` says why, in a sentence."""


def reason_for(status: int) -> str:
    if status in REASONS:
        return REASONS[status]
    if status >= 500:
        return f"failed on its side (HTTP {status})"
    return f"answered HTTP {status}"


async def call_json(
    client: httpx.AsyncClient, service: str, method: str, url: str, **kwargs: Any
) -> Any:
    """`method url` answered with JSON, or Failed naming `service` and what went wrong."""
    try:
        response = await client.request(method, url, **kwargs)
    except httpx.TimeoutException as error:
        raise Failed(f"{service} did not answer in time") from error
    except httpx.HTTPError as error:
        raise Failed(f"{service} could not be reached ({type(error).__name__})") from error
    if response.status_code >= 400:
        raise Failed(f"{service} {reason_for(response.status_code)}")
    try:
        return response.json()
    except ValueError as error:
        raise Failed(f"{service} answered something that is not JSON") from error
