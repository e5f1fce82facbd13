"""PROVIDER_HTTP_TRANSPORT: the SDKs' aiohttp client (the default, which every other
adapter test runs on) and their httpx client, each against the mock provider.

The same streams, errors and SSRF guard on both."""

from __future__ import annotations

import pytest

from endpoints.adapters.anthropic import AnthropicAdapter
from endpoints.adapters.base import ErrorKind, RequestContext
from endpoints.adapters.openai import OpenAIAdapter
from endpoints.endpoint import USER_PROVIDED, Endpoint

from .helpers import request_for, run

ADAPTERS = {"openai": OpenAIAdapter, "anthropic": AnthropicAdapter}
MODELS = {"openai": "gpt-4o-mini", "anthropic": "claude-sonnet-4"}
TRANSPORTS = {"aiohttp": "AiohttpTransport", "httpx": "AsyncHTTPTransport"}


@pytest.fixture(autouse=True, params=list(TRANSPORTS))
def transport(settings, request) -> str:
    settings.PROVIDER_HTTP_TRANSPORT = request.param
    return request.param


@pytest.mark.parametrize("kind", list(ADAPTERS))
async def test_a_stream_arrives_whole(endpoint_for, kind, transport):
    endpoint = endpoint_for(kind)
    adapter = ADAPTERS[kind](endpoint)
    outcome = await run(adapter, request_for(endpoint, "echo: over the wire", MODELS[kind]))
    assert outcome.error is None
    assert outcome.text == "over the wire"
    assert outcome.usage is not None and outcome.usage.completion_tokens > 0
    client = adapter.client(RequestContext())
    assert type(client._client._transport).__name__ == TRANSPORTS[transport]
    await client.close()  # the process's loop would keep it; the test's loop ends here


async def test_a_refused_connection_is_unreachable_not_a_timeout():
    """aiohttp's refused connection reaches the SDK as a connect timeout (errors.py)."""
    endpoint = Endpoint(name="gone", kind="openai", api_key="k", base_url="http://127.0.0.1:9/v1")
    adapter = OpenAIAdapter(endpoint, max_retries=0)
    outcome = await run(adapter, request_for(endpoint, "hi"))
    assert outcome.error.kind == ErrorKind.UNAVAILABLE
    assert outcome.error.user_message == "Endpoint gone could not be reached."
    await adapter.client(RequestContext()).close()


@pytest.mark.parametrize("kind", list(ADAPTERS))
async def test_a_provider_error_is_translated(mock_provider, endpoint_for, kind):
    mock_provider.fail("429")
    endpoint = endpoint_for(kind)
    outcome = await run(
        ADAPTERS[kind](endpoint, max_retries=0), request_for(endpoint, "hi", MODELS[kind])
    )
    assert outcome.error is not None and outcome.error.kind == ErrorKind.RATE_LIMITED


@pytest.mark.parametrize("kind", list(ADAPTERS))
async def test_the_guard_still_refuses_a_users_loopback_url(mock_provider, endpoint_for, kind):
    endpoint = endpoint_for(kind, api_key=USER_PROVIDED, base_url=USER_PROVIDED)
    url = mock_provider.openai_url if kind == "openai" else mock_provider.url
    request = request_for(endpoint, "echo: hi", MODELS[kind], api_key="k", base_url=url)
    adapter = ADAPTERS[kind](endpoint, max_retries=0)
    outcome = await run(adapter, request)
    assert outcome.error is not None and outcome.error.kind == "bad_request"
    assert "a loopback address" in outcome.error.user_message
    assert mock_provider.requests == []
    await adapter.client(request.context).close()
