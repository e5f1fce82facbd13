"""One error of the `/v1` API: what every refusal, failure and bad request becomes.

`ApiError` holds an HTTP status, OpenAI's `type` and `code`, the message (the
UI's own words for an engine refusal) and the field it names (`param`). Each
wire renders it in its own shape (OpenAI's `{"error": {...}}`, Anthropic's
`{"type": "error", "error": {...}}`).
"""

from __future__ import annotations

from dataclasses import dataclass

from accounts import guards
from chatapp.engine.refusal import NOT_SAVED, Refusal
from endpoints.adapters.base import ProviderError

# Engine refusal codes (docs/protocol.md) -> HTTP status and OpenAI's error type.
REFUSALS: dict[str, tuple[int, str]] = {
    "banned": (403, "permission_error"),
    "terms_required": (403, "permission_error"),
    "message_limit": (429, "rate_limit_error"),
    "concurrent": (429, "rate_limit_error"),
    "balance": (429, "insufficient_quota"),
    "illegal_model": (404, "not_found_error"),
    "unknown_endpoint": (404, "not_found_error"),
    "spec_required": (403, "permission_error"),
    "key_required": (400, "invalid_request_error"),
    "bad_parameter": (400, "invalid_request_error"),
    "parameters_disabled": (400, "invalid_request_error"),
    "moderation": (400, "invalid_request_error"),
}
# ProviderError kinds (endpoints.adapters.base) -> HTTP status: the upstream's own
# failures are the gateway's (502); what the request itself did wrong is the client's.
PROVIDER_STATUS: dict[str, int] = {
    "authentication": 502,
    "rate_limited": 429,
    "context_too_long": 400,
    "content_filtered": 400,
    "bad_request": 400,
    "unavailable": 502,
}


@dataclass
class ApiError(Exception):
    status: int
    type: str
    message: str
    code: str | None = None
    param: str | None = None

    def body(self) -> dict:
        """OpenAI's error body."""
        error = {"message": self.message, "type": self.type, "param": self.param}
        return {"error": {**error, "code": self.code}}


def bad_request(message: str, param: str | None = None, code: str = "invalid_request") -> ApiError:
    return ApiError(400, "invalid_request_error", message, code, param)


def not_saved() -> ApiError:
    """A request whose database work failed: nothing was saved or sent. A 503, which the
    SDKs try again by themselves."""
    return ApiError(503, "server_error", NOT_SAVED, "not_saved")


def from_refusal(refusal: Refusal | guards.Refusal) -> ApiError:
    status, kind = REFUSALS.get(refusal.code, (400, "invalid_request_error"))
    return ApiError(status, kind, refusal.message, refusal.code)


def from_provider(kind: str, message: str) -> ApiError:
    status = PROVIDER_STATUS.get(kind, 502)
    error_type = "upstream_error" if status == 502 else "invalid_request_error"
    if status == 429:
        error_type = "rate_limit_error"
    return ApiError(status, error_type, message, kind)


def from_provider_error(error: ProviderError) -> ApiError:
    return from_provider(str(error.kind), error.user_message)
