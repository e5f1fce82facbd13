from endpoints.adapters import errors
from endpoints.adapters.base import ErrorKind


def test_status_and_message_decide_the_kind():
    cases = [
        (401, "", ErrorKind.AUTHENTICATION),
        (400, "API key not valid. Please pass a valid API key.", ErrorKind.AUTHENTICATION),
        (429, "", ErrorKind.RATE_LIMITED),
        (529, "Overloaded", ErrorKind.UNAVAILABLE),
        (400, "prompt is too long: 250000 tokens > 200000 maximum", ErrorKind.CONTEXT_TOO_LONG),
        (400, "The provided model identifier is invalid.", ErrorKind.UNKNOWN_MODEL),
        (404, "", ErrorKind.UNKNOWN_MODEL),
        (
            400,
            "The response was filtered due to content management policy",
            ErrorKind.CONTENT_FILTERED,
        ),
        (422, "temperature must be <= 2", ErrorKind.BAD_REQUEST),
    ]
    for status, message, kind in cases:
        assert errors.from_status("x", "m", status, message).kind == kind, (status, message)


def test_messages_for_people():
    assert errors.from_status("x", "m", 429, retry_after=1).user_message.endswith(
        "Retry in 1 second."
    )
    assert errors.from_status("x", "m", 429, retry_after=2.5).retry_after == 2.5
    bad = errors.from_status("x", "m", 422, "temperature must be <= 2")
    assert bad.user_message == "Endpoint x rejected the request: temperature must be <= 2"
    leaked = errors.from_status("x", "m", 401, "Incorrect API key provided: sk-abc***xyz")
    assert "sk-" not in leaked.user_message
    assert errors.retry_after_seconds("7") == 7
    assert errors.retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") is None
