"""One translation of provider failures into `ProviderError`s with messages for the user.

Each adapter pulls (status, provider message, retry-after) out of its SDK's
exception and hands them to `from_status`; the wording lives here only. Keys
never appear in a message: authentication failures do not echo the provider's
text, which often quotes part of the key.
"""

from __future__ import annotations

import re
from types import ModuleType

import httpx2

from endpoints.addresses import Refused

from .base import ProviderError

CONTEXT = re.compile(
    r"context.length|context window|too long|maximum context|exceeds the maximum number of tokens"
    r"|input token count|too many tokens|reduce the length",
    re.IGNORECASE,
)
MODEL = re.compile(r"model.*(not found|does not exist|invalid|not supported)|unknown model", re.I)
AUTH = re.compile(r"api key not valid|invalid api key|security token|unauthori[sz]ed", re.I)
FILTER = re.compile(r"content.filter|content management policy|safety", re.I)


def from_status(
    endpoint: str,
    model: str,
    status: int,
    message: str = "",
    retry_after: float | None = None,
) -> ProviderError:
    """The error for an HTTP failure answered by endpoint `endpoint`."""
    kw = {"status": status}
    if status in (401, 403) or (status == 400 and AUTH.search(message)):
        return ProviderError.authentication(f"Authentication failed for endpoint {endpoint}.", **kw)
    if status == 429:
        unit = "second" if retry_after == 1 else "seconds"
        wait = f" Retry in {retry_after:g} {unit}." if retry_after is not None else ""
        text = f"Endpoint {endpoint} is rate limiting requests.{wait}"
        return ProviderError.rate_limited(text, retry_after=retry_after, **kw)
    if status >= 500:
        return ProviderError.unavailable(
            f"Endpoint {endpoint} is unavailable (HTTP {status}).", **kw
        )
    if CONTEXT.search(message):
        text = f"The conversation is too long for model {model} on endpoint {endpoint}."
        return ProviderError.context_too_long(text, **kw)
    if status == 404 or MODEL.search(message):
        return ProviderError.unknown_model(
            f"Model {model} is not available on endpoint {endpoint}.", **kw
        )
    if FILTER.search(message):
        return ProviderError.content_filtered(
            f"Endpoint {endpoint}'s content filter blocked this request.", **kw
        )
    detail = f": {message[:300]}" if message else "."
    return ProviderError.bad_request(f"Endpoint {endpoint} rejected the request{detail}", **kw)


def timed_out(endpoint: str) -> ProviderError:
    return ProviderError.unavailable(f"Endpoint {endpoint} did not answer in time.")


def unreachable(endpoint: str) -> ProviderError:
    return ProviderError.unavailable(f"Endpoint {endpoint} could not be reached.")


def unreadable(endpoint: str) -> ProviderError:
    return ProviderError.unavailable(f"Endpoint {endpoint} sent a reply that could not be read.")


def cut(endpoint: str) -> ProviderError:
    return ProviderError.unavailable(f"The connection to endpoint {endpoint} was cut mid-stream.")


def missing_key(endpoint: str) -> ProviderError:
    return ProviderError.authentication(f"No API key is set for endpoint {endpoint}.")


def refused(endpoint: str, reason: object) -> ProviderError:
    """A user-provided base URL that points where users may not send requests (SSRF guard)."""
    return ProviderError.bad_request(f"Endpoint {endpoint} refused your base URL: {reason}")


def refusal_in(endpoint: str, error: BaseException) -> ProviderError | None:
    """`refused` for an `addresses.Refused` anywhere in `error`'s chain (SDKs wrap it)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, Refused):
            return refused(endpoint, current)
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def invalid_parameters(endpoint: str, detail: str) -> ProviderError:
    """Parameters the SDK refused before sending anything."""
    detail = " ".join(detail.split())[:300]
    return ProviderError.bad_request(f"Invalid parameters for endpoint {endpoint}: {detail}")


def retry_after_seconds(value: str | None) -> float | None:
    """The `retry-after` header (seconds; HTTP dates are rare from LLM APIs and ignored)."""
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def from_stainless_sdk(
    sdk: ModuleType, endpoint: str, model: str, error: Exception
) -> ProviderError | None:
    """`openai` and `anthropic` share one exception hierarchy (both SDKs are generated alike)."""
    if isinstance(error, sdk.APIStatusError):
        retry = retry_after_seconds(error.response.headers.get("retry-after"))
        return from_status(endpoint, model, error.status_code, _sdk_message(error), retry)
    if isinstance(error, sdk.APITimeoutError | httpx2.TimeoutException):
        return unreachable(endpoint) if _refused_beneath(error) else timed_out(endpoint)
    # Reading a stream can raise the transport's own errors, not only the SDK's.
    if isinstance(error, sdk.APIConnectionError | httpx2.TransportError):
        return unreachable(endpoint)
    if isinstance(error, sdk.APIError):  # an `error` event inside the stream
        return from_status(endpoint, model, 503, _sdk_message(error))
    return None


def _refused_beneath(error: BaseException) -> bool:
    """A "timeout" caused by a connection that failed at once (refused, no route, no such
    host): the SDKs' aiohttp transport maps aiohttp's ClientConnectorError, an OSError, to
    a connect timeout. A real timeout is a TimeoutError, which is an OSError too."""
    cause = error.__cause__ or error.__context__
    while cause is not None:
        if isinstance(cause, OSError) and not isinstance(cause, TimeoutError):
            return True
        cause = cause.__cause__ or cause.__context__
    return False


def _sdk_message(error: Exception) -> str:
    body = getattr(error, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            return inner["message"]
    return getattr(error, "message", "") or ""
