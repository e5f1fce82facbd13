"""What every adapter shares, driven through each real SDK against the mock provider."""

import asyncio
import logging
from dataclasses import replace

import pytest

from endpoints import tokens
from endpoints.adapters.base import ErrorKind, Usage
from endpoints.adapters.common import ClientCache, counted_usage, usage_problem
from endpoints.registry import adapter_class

from .conftest import KINDS, MODELS
from .helpers import request_for, run

ECHO = "echo: # Title\n\n<img src=x onerror=alert(1)> **bold** ünï 😀 `code`"
EXPECTED = ECHO.removeprefix("echo: ")


def adapter(endpoint, **options):
    return adapter_class(endpoint.kind)(endpoint, **{"max_retries": 0, **options})


@pytest.mark.parametrize("kind", KINDS)
async def test_streams_the_exact_text_in_chunks_with_usage_and_cost(endpoint_for, kind):
    endpoint = endpoint_for(kind)
    outcome = await run(adapter(endpoint), request_for(endpoint, ECHO, MODELS[kind]))
    assert outcome.error is None
    assert outcome.text == EXPECTED
    assert len(outcome.chunks) > 3
    assert outcome.finish == "stop"
    assert outcome.usage.prompt_tokens > 0
    assert outcome.usage.completion_tokens == len(outcome.chunks)
    assert tokens.cost(outcome.usage, tokens.rate_for(MODELS[kind])) > 0


@pytest.mark.parametrize("kind", KINDS)
async def test_complete(endpoint_for, kind):
    endpoint = endpoint_for(kind)
    completion = await adapter(endpoint).complete(
        request_for(endpoint, "echo: Short Title", MODELS[kind])
    )
    assert completion.text == "Short Title"


ERRORS = [
    ("401", ErrorKind.AUTHENTICATION, "Authentication failed for endpoint my-{kind}."),
    ("429", ErrorKind.RATE_LIMITED, "Endpoint my-{kind} is rate limiting requests. Retry in 3"),
    ("500", ErrorKind.UNAVAILABLE, "Endpoint my-{kind} is unavailable (HTTP"),
    ("context", ErrorKind.CONTEXT_TOO_LONG, "The conversation is too long for model"),
    ("unknown_model", ErrorKind.UNKNOWN_MODEL, "is not available on endpoint my-{kind}."),
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("failure", "error_kind", "message"), ERRORS)
async def test_provider_errors_for_the_user(
    mock_provider, endpoint_for, kind, failure, error_kind, message
):
    mock_provider.fail(failure)
    mock_provider.behaviour.retry_after = 3
    endpoint = endpoint_for(kind)
    outcome = await run(adapter(endpoint), request_for(endpoint, "hello", MODELS[kind]))
    assert outcome.error.kind == error_kind
    assert message.format(kind=kind) in outcome.error.user_message
    assert "test" not in outcome.error.user_message  # no key (sk-test, ak-test ...) leaks


@pytest.mark.parametrize("kind", KINDS)
async def test_a_cut_stream_keeps_the_text_received(mock_provider, endpoint_for, kind):
    mock_provider.fail("disconnect")
    endpoint = endpoint_for(kind)
    outcome = await run(adapter(endpoint), request_for(endpoint, "one two three", MODELS[kind]))
    assert outcome.text
    assert outcome.error.user_message == f"The connection to endpoint my-{kind} was cut mid-stream."
    assert len(mock_provider.requests) == 1


@pytest.mark.parametrize("kind", KINDS)
async def test_malformed_chunks_are_skipped_and_logged(mock_provider, endpoint_for, kind, caplog):
    mock_provider.fail("malformed")
    endpoint = endpoint_for(kind)
    with caplog.at_level(logging.WARNING):
        outcome = await run(adapter(endpoint), request_for(endpoint, ECHO, MODELS[kind]))
    assert outcome.error is None
    assert outcome.text == EXPECTED
    assert f"skipped a malformed chunk from endpoint my-{kind}" in caplog.text


@pytest.mark.parametrize("kind", KINDS)
async def test_a_slow_provider_times_out(mock_provider, endpoint_for, kind):
    mock_provider.behaviour.ttft_ms = 2000
    endpoint = endpoint_for(kind)
    outcome = await run(adapter(endpoint, timeout=0.5), request_for(endpoint, "hi", MODELS[kind]))
    assert outcome.error.kind == ErrorKind.UNAVAILABLE
    assert "did not answer in time" in outcome.error.user_message


@pytest.mark.parametrize("kind", KINDS)
async def test_one_retry_before_the_first_token(mock_provider, endpoint_for, kind):
    mock_provider.fail("500", count=1)
    mock_provider.behaviour.retry_after = 0
    endpoint = endpoint_for(kind)
    outcome = await run(
        adapter(endpoint, max_retries=1), request_for(endpoint, "echo: again", MODELS[kind])
    )
    assert outcome.text == "again"
    assert len(mock_provider.requests) == 2


@pytest.mark.parametrize("kind", KINDS)
async def test_configured_headers_and_placeholders_reach_the_provider(
    mock_provider, endpoint_for, kind
):
    endpoint = endpoint_for(
        kind,
        headers={
            "X-Conversation": "{{LIBRECHAT_BODY_CONVERSATIONID}}",
            "X-User-Email": "{{LIBRECHAT_USER_EMAIL}}",
            "X-Verified": "{{LIBRECHAT_USER_EMAILVERIFIED}}",
            "Authorization": "Bearer must-not-win",
        },
    )
    request = request_for(
        endpoint, "echo: hi", MODELS[kind], conversation_id="conv-9",
        user_fields={"email": "a@example.com", "emailVerified": False},
    )  # fmt: skip
    outcome = await run(adapter(endpoint), request)
    assert outcome.text == "hi"
    sent = mock_provider.last_request
    if kind != "bedrock":  # boto3 sends AWS-signed requests; LibreChat sends no headers there
        assert sent.header("x-conversation") == "conv-9"
        assert sent.header("x-user-email") == "a@example.com"
        assert sent.header("x-verified") == "false"
    assert sent.header("authorization") != "Bearer must-not-win"


@pytest.mark.parametrize("kind", KINDS)
async def test_the_global_proxy_is_honoured(mock_provider, endpoint_for, monkeypatch, kind):
    # The mock also answers absolute-form (proxied) requests, so it stands in for the proxy.
    far = "http://provider.invalid"
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", far)
    endpoint = endpoint_for(kind, proxy=mock_provider.url)
    if kind == "azure":
        deployment = replace(endpoint.azure["gpt-4o"], base_url=far)
        endpoint = replace(endpoint, azure={"gpt-4o": deployment})
    elif kind != "bedrock":
        endpoint = replace(endpoint, base_url=far + ("/v1" if kind == "openai" else ""))
    outcome = await run(adapter(endpoint), request_for(endpoint, "echo: proxied", MODELS[kind]))
    assert outcome.text == "proxied"
    assert mock_provider.last_request.header("host") == "provider.invalid"


@pytest.mark.parametrize("kind", ["google", "bedrock"])  # SDKs that check parameters first
async def test_parameters_the_sdk_refuses_are_a_bad_request(mock_provider, endpoint_for, kind):
    # A user's bad value is refused before (endpoints.userparams); the operator's is not.
    endpoint = endpoint_for(kind, add_params={"temperature": "very hot"})
    request = request_for(endpoint, "hi", MODELS[kind])
    outcome = await run(adapter(endpoint), request)
    assert outcome.error.kind == ErrorKind.BAD_REQUEST
    assert outcome.error.user_message.startswith(f"Invalid parameters for endpoint my-{kind}: ")
    assert mock_provider.requests == []


def test_clients_are_per_loop_and_bounded():
    made = []
    cache = ClientCache(lambda *key: made.append(key) or object(), size=2)

    async def take(*key):
        return cache.get(*key)

    async def same_loop():
        first = await take("k", "u")
        assert await take("k", "u") is first
        await take("k2", "u")
        await take("k3", "u")  # evicts ("k", "u"), the least recently used
        return first, await take("k", "u")

    first, again = asyncio.run(same_loop())
    assert first is not again
    other_loop = asyncio.run(take("k3", "u"))
    assert made.count(("k3", "u")) == 2 and other_loop is not None


LIES = {
    "negative": {"prompt": -1_000_000},
    "negative cache": {"cache_read": -5},
    "huge": {"completion": 10**15},
    "fraction": {"completion": 2.5},
    "text": {"prompt": "many"},
}
UNREADABLE_BY_GENAI = ["fraction", "text"]


@pytest.mark.parametrize(
    ("kind", "lie"),
    [
        (kind, lie)
        for kind in KINDS
        for lie in LIES
        if not (kind == "google" and lie in UNREADABLE_BY_GENAI)  # the next test
    ],
)
async def test_unusable_usage_is_logged_and_counted_locally(
    mock_provider, endpoint_for, kind, lie, caplog
):
    mock_provider.behaviour.usage = LIES[lie]
    endpoint = endpoint_for(kind)
    request = request_for(endpoint, ECHO, MODELS[kind])
    with caplog.at_level(logging.WARNING):
        outcome = await run(adapter(endpoint), request)
    assert outcome.error is None
    assert outcome.text == EXPECTED and outcome.finish == "stop"
    assert outcome.usage == counted_usage(request, EXPECTED)  # Parley's own count
    assert f"endpoint my-{kind}" in caplog.text and "usage" in caplog.text


@pytest.mark.parametrize("lie", UNREADABLE_BY_GENAI)
async def test_gemini_usage_the_sdk_cannot_read_ends_the_reply(mock_provider, endpoint_for, lie):
    # google-genai validates each chunk: a figure that is no whole number fails the chunk
    # (and the stream) inside the SDK; the reply ends with an error and reports no usage.
    mock_provider.behaviour.usage = LIES[lie]
    endpoint = endpoint_for("google")
    outcome = await run(adapter(endpoint), request_for(endpoint, ECHO, MODELS["google"]))
    assert outcome.error.kind == ErrorKind.UNAVAILABLE
    assert outcome.usage is None


@pytest.mark.parametrize("kind", KINDS)
async def test_missing_usage_is_counted_locally(mock_provider, endpoint_for, kind):
    mock_provider.behaviour.omit_usage = True
    endpoint = endpoint_for(kind)
    request = request_for(endpoint, ECHO, MODELS[kind])
    outcome = await run(adapter(endpoint), request)
    assert outcome.error is None
    assert outcome.text == EXPECTED and outcome.finish == "stop"
    assert outcome.usage == counted_usage(request, EXPECTED)


@pytest.mark.parametrize(
    ("usage", "problem"),
    [
        (Usage(1, 2, 0, 0), None),
        (Usage(10, 0, 4, 6), None),
        (Usage(-1, 2), "prompt_tokens is out of range"),
        (Usage(1, 10_000_001), "completion_tokens is out of range"),
        (Usage(1, 2.0), "completion_tokens is not a whole number"),
        (Usage(True, 2), "prompt_tokens is not a whole number"),
        (Usage("1", 2), "prompt_tokens is not a whole number"),
        (Usage(5, 1, 4, 2), "the cached tokens exceed the prompt tokens"),
    ],
)
def test_usage_problem(usage, problem):
    found = usage_problem(usage)
    assert found == problem if problem is None else found.startswith(problem)


async def test_an_aiohttp_client_let_go_of_closes_itself(settings, mock_provider):
    """An evicted client's aiohttp session is closed, not left for the collector to report."""
    import gc

    import openai

    from endpoints.adapters.common import sdk_http_client

    settings.PROVIDER_HTTP_TRANSPORT = "aiohttp"
    client = sdk_http_client(openai)
    await client.get(f"{mock_provider.openai_url}/models")
    session = client._transport.client  # aiohttp's ClientSession, made by the first request
    assert not session.closed
    del client
    gc.collect()
    await asyncio.sleep(0.05)
    assert session.closed
