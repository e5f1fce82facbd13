"""The SSRF guard on user-provided base URLs, through the real SDKs against the mock provider.

The mock listens on 127.0.0.1, so a user's URL pointing at it is refused unless its
`127.0.0.1:<port>` is in `endpoints.allowedAddresses`, as LibreChat does.
"""

from __future__ import annotations

import asyncio
import socket

import pytest

from endpoints.adapters.anthropic import AnthropicAdapter
from endpoints.adapters.base import RequestContext
from endpoints.adapters.google import GoogleAdapter
from endpoints.adapters.openai import OpenAIAdapter
from endpoints.endpoint import USER_PROVIDED, ModelList

from .helpers import request_for, run

ADAPTERS = {"openai": OpenAIAdapter, "anthropic": AnthropicAdapter, "google": GoogleAdapter}
MODELS = {"openai": "gpt-4o-mini", "anthropic": "claude-x", "google": "gemini-2.5-flash"}


def user_url_endpoint(endpoint_for, kind: str, allowed: frozenset[str] = frozenset(), **fields):
    return endpoint_for(
        kind, api_key=USER_PROVIDED, base_url=USER_PROVIDED, allowed_addresses=allowed, **fields
    )


def users_url(mock, kind: str) -> str:
    return mock.openai_url if kind == "openai" else mock.url


@pytest.mark.parametrize("kind", list(ADAPTERS))
async def test_a_loopback_url_is_refused_before_anything_is_sent(mock_provider, endpoint_for, kind):
    endpoint = user_url_endpoint(endpoint_for, kind)
    request = request_for(
        endpoint, "echo: hi", MODELS[kind], api_key="k", base_url=users_url(mock_provider, kind)
    )
    outcome = await run(ADAPTERS[kind](endpoint, max_retries=0), request)
    assert outcome.error is not None and outcome.error.kind == "bad_request"
    message = outcome.error.user_message
    assert message.startswith(f"Endpoint my-{kind} refused your base URL: ")
    assert "points to 127.0.0.1, a loopback address" in message
    assert f'add "127.0.0.1:{mock_provider.port}" to endpoints.allowedAddresses' in message
    assert mock_provider.requests == []


@pytest.mark.parametrize("kind", list(ADAPTERS))
async def test_a_listed_host_port_is_allowed(mock_provider, endpoint_for, kind):
    allowed = frozenset({f"127.0.0.1:{mock_provider.port}"})
    endpoint = user_url_endpoint(endpoint_for, kind, allowed)
    request = request_for(
        endpoint, "echo: mine", MODELS[kind], api_key="k", base_url=users_url(mock_provider, kind)
    )
    outcome = await run(ADAPTERS[kind](endpoint, max_retries=0), request)
    assert outcome.error is None and outcome.text == "mine"


async def test_operator_configured_loopback_urls_are_not_restricted(mock_provider, endpoint_for):
    endpoint = endpoint_for("openai")  # base_url from the config: the mock on 127.0.0.1
    outcome = await run(OpenAIAdapter(endpoint, max_retries=0), request_for(endpoint, "echo: ok"))
    assert outcome.text == "ok"


async def test_a_name_resolving_inside_at_request_time_is_refused(
    mock_provider, endpoint_for, monkeypatch
):
    """DNS rebinding: public when first checked, loopback right before the request."""
    answers = iter(["93.184.215.14", "127.0.0.1"])
    real = socket.getaddrinfo

    def rebinding(host, port, *args, **kwargs):
        if host != "rebind.example":
            return real(host, port, *args, **kwargs)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    endpoint = user_url_endpoint(endpoint_for, "openai")
    url = f"http://rebind.example:{mock_provider.port}/v1"
    request = request_for(endpoint, "echo: hi", api_key="k", base_url=url)
    outcome = await run(OpenAIAdapter(endpoint, max_retries=0), request)
    assert "points to 127.0.0.1, a loopback address" in outcome.error.user_message
    assert mock_provider.requests == []


async def test_redirects_are_not_followed(mock_provider, endpoint_for):
    """A user's public-looking server cannot bounce the request (and key) somewhere else."""

    async def redirect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        location = f"{mock_provider.openai_url}/chat/completions"
        writer.write(
            f"HTTP/1.1 307 Temporary Redirect\r\nLocation: {location}\r\n"
            "Content-Length: 0\r\nConnection: close\r\n\r\n".encode()
        )
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(redirect, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    allowed = frozenset({f"127.0.0.1:{port}", f"127.0.0.1:{mock_provider.port}"})
    endpoint = user_url_endpoint(endpoint_for, "openai", allowed)
    request = request_for(endpoint, "echo: hi", api_key="k", base_url=f"http://127.0.0.1:{port}/v1")
    async with server:
        outcome = await run(OpenAIAdapter(endpoint, max_retries=0), request)
    assert outcome.error is not None and outcome.error.status == 307
    assert mock_provider.requests == []  # the redirect target was never called


@pytest.mark.parametrize("name", ["mine", "ollama-mine"])
async def test_model_lists_from_a_users_url_are_guarded(mock_provider, endpoint_for, name):
    fetch = ModelList(default=("d",), fetch=True)
    endpoint = user_url_endpoint(endpoint_for, "openai", name=name, models=fetch)
    context = RequestContext(api_key="k", base_url=mock_provider.openai_url)
    with pytest.raises(Exception, match="a loopback address") as refused:
        await OpenAIAdapter(endpoint, max_retries=0).list_models(context)
    assert refused.type.__name__ == "ProviderError"
    assert mock_provider.requests == []
    allowed = frozenset({f"127.0.0.1:{mock_provider.port}"})
    endpoint = user_url_endpoint(endpoint_for, "openai", allowed, name=name, models=fetch)
    names = await OpenAIAdapter(endpoint, max_retries=0).list_models(context)
    assert names == mock_provider.behaviour.models
