"""The OpenAI adapter on the real `openai` SDK against the mock provider over loopback."""

import pytest

from endpoints.adapters.openai import OpenAIAdapter
from endpoints.endpoint import USER_PROVIDED, CustomParams, Endpoint, ModelList

from .helpers import request_for, run

ECHO = "echo: # Title\n\n<script>alert(1)</script> **bold** ünï 😀"
EXPECTED = "# Title\n\n<script>alert(1)</script> **bold** ünï 😀"


def endpoint(mock, **fields) -> Endpoint:
    values = {"name": "mock", "kind": "openai", "api_key": "sk-test", "base_url": mock.openai_url}
    return Endpoint(**{**values, **fields})


def adapter(mock, **fields) -> OpenAIAdapter:
    return OpenAIAdapter(endpoint(mock, **fields), max_retries=0)


async def test_streams_text_exactly_with_provider_usage(mock_provider):
    outcome = await run(adapter(mock_provider), request_for(endpoint(mock_provider), ECHO))
    assert outcome.error is None
    assert outcome.text == EXPECTED
    assert len(outcome.chunks) > 2
    assert outcome.finish == "stop"
    assert outcome.usage.completion_tokens == len(outcome.chunks)
    body = mock_provider.last_request.body
    assert body["stream_options"] == {"include_usage": True}
    assert body["messages"][0] == {"role": "system", "content": "You are terse."}


async def test_usage_is_counted_locally_when_the_provider_sends_none(mock_provider):
    ep = endpoint(mock_provider, drop_params=("stream_options",))
    outcome = await run(OpenAIAdapter(ep), request_for(ep, "echo: hello world"))
    assert "stream_options" not in mock_provider.last_request.body
    assert outcome.usage.completion_tokens == 2  # tiktoken: "hello", " world"
    assert outcome.usage.prompt_tokens > 10


@pytest.mark.parametrize("key", ["reasoning_content", "reasoning"])
async def test_reasoning_is_read_from_the_configured_key(mock_provider, key):
    mock_provider.behaviour.reasoning_key = key
    ep = endpoint(mock_provider, custom_params=CustomParams(reasoning_key=key))
    outcome = await run(OpenAIAdapter(ep), request_for(ep, "echo: ok", model="mock-reasoner"))
    assert outcome.reasoning.startswith("Thinking about mock-reasoner")
    assert outcome.text == "ok"


async def test_reasoning_under_another_key_is_not_taken_for_text(mock_provider):
    mock_provider.behaviour.reasoning_key = "reasoning"
    ep = endpoint(mock_provider)  # default key: reasoning_content
    outcome = await run(OpenAIAdapter(ep), request_for(ep, "echo: ok", model="mock-reasoner"))
    assert (outcome.reasoning, outcome.text) == ("", "ok")


async def test_rate_limit_carries_the_retry_time(mock_provider):
    mock_provider.fail("429")
    mock_provider.behaviour.retry_after = 7
    outcome = await run(adapter(mock_provider), request_for(endpoint(mock_provider), "hi"))
    assert outcome.error.retry_after == 7


async def test_an_unreachable_provider_is_unavailable():
    ep = Endpoint(name="gone", kind="openai", api_key="k", base_url="http://127.0.0.1:9/v1")
    outcome = await run(OpenAIAdapter(ep, max_retries=0), request_for(ep, "hi"))
    assert outcome.error.user_message == "Endpoint gone could not be reached."


async def test_direct_endpoint_posts_to_the_base_url_as_is(mock_provider):
    ep = endpoint(
        mock_provider, base_url=f"{mock_provider.url}/api/v1/generate", direct_endpoint=True
    )
    outcome = await run(OpenAIAdapter(ep), request_for(ep, "echo: direct"))
    assert outcome.text == "direct"
    assert mock_provider.last_request.path == "/api/v1/generate"


async def test_user_provided_key_and_url_come_from_the_request(mock_provider):
    ep = endpoint(
        mock_provider,
        api_key=USER_PROVIDED,
        base_url=USER_PROVIDED,
        headers={"X-Secret": "s"},
        allowed_addresses=frozenset({f"127.0.0.1:{mock_provider.port}"}),  # the mock is loopback
    )
    request = request_for(ep, "echo: mine", api_key="sk-user", base_url=mock_provider.openai_url)
    outcome = await run(OpenAIAdapter(ep), request)
    assert outcome.text == "mine"
    sent = mock_provider.last_request
    assert sent.header("authorization") == "Bearer sk-user"
    assert sent.header("x-secret") is None  # never forwarded to a user's own URL


async def test_missing_user_key_is_an_authentication_error(mock_provider):
    ep = endpoint(mock_provider, api_key=USER_PROVIDED)
    outcome = await run(OpenAIAdapter(ep), request_for(ep, "hi"))
    assert outcome.error.user_message == "No API key is set for endpoint mock."


async def test_list_models_with_headers_and_user_query(mock_provider):
    ep = endpoint(
        mock_provider,
        headers={"Authorization": "Bearer configured", "X-User": "{{LIBRECHAT_USER_ID}}"},
        models=ModelList(default=("d",), fetch=True, user_id_query=True),
    )
    names = await OpenAIAdapter(ep).list_models(request_for(ep, "x", user_id="u-42").context)
    assert names == mock_provider.behaviour.models
    sent = mock_provider.last_request
    assert sent.path == "/v1/models"
    assert sent.query == {"user": "u-42"}
    assert sent.header("authorization") == "Bearer configured"  # a configured one wins
    assert sent.header("x-user") == "u-42"


async def test_ollama_endpoints_list_api_tags(mock_provider):
    ep = endpoint(mock_provider, name="Ollama-local", models=ModelList(fetch=True))
    names = await OpenAIAdapter(ep).list_models(request_for(ep, "x").context)
    assert names == mock_provider.behaviour.models
    assert mock_provider.last_request.path == "/api/tags"


async def test_custom_endpoint_payload_as_received(mock_provider):
    ep = endpoint(
        mock_provider,
        custom=True,
        organization="org-1",
        add_params={"web_search": True, "provider": {"sort": "price"}, "temperature": 1},
        drop_params=("top_p",),
    )
    params = {"topP": 0.5, "temperature": 0.2, "reasoning_effort": "low", "maxTokens": 50}
    outcome = await run(OpenAIAdapter(ep), request_for(ep, "echo: ok", params=params))
    assert outcome.text == "ok"
    sent = mock_provider.last_request
    assert sent.path == "/v1/chat/completions"
    assert sent.header("openai-organization") == "org-1"
    body = sent.body
    assert "web_search" not in body and body["web_search_options"] == {}  # as LibreChat
    assert body["provider"] == {"sort": "price"}
    assert body["temperature"] == 1
    assert body["reasoning_effort"] == "low"
    assert body["max_tokens"] == 50
    assert "top_p" not in body


async def test_openrouter_reads_reasoning_by_default(mock_provider):
    mock_provider.behaviour.reasoning_key = "reasoning"
    ep = endpoint(mock_provider, name="OpenRouter")
    outcome = await run(OpenAIAdapter(ep), request_for(ep, "echo: ok", model="x/mock-reasoner"))
    assert outcome.reasoning.startswith("Thinking about")
