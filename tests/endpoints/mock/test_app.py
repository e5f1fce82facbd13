"""The mock provider speaks each wire format well enough for the official SDKs.

These drive the SDKs directly (no Parley adapter) over loopback HTTP.
"""

import time
from collections.abc import Iterator

import anthropic
import boto3
import httpx
import openai
import pytest
from botocore.config import Config
from google import genai
from google.genai import types as gtypes

from endpoints.mock.app import MockApp
from endpoints.mock.behaviour import Behaviour, RecordedRequest

ECHO = "echo: **Hi** <b>&amp;</b> ünïcode 😀\n```\ncode\n```"
EXPECTED = "**Hi** <b>&amp;</b> ünïcode 😀\n```\ncode\n```"


async def test_openai_stream_echo_usage_and_recording(mock_provider):
    client = openai.AsyncOpenAI(api_key="sk-test", base_url=mock_provider.openai_url)
    async with client:
        pieces, usage = await collect_openai(client)
    assert "".join(pieces) == EXPECTED
    assert len(pieces) > 2
    assert usage.completion_tokens == len(pieces)
    request = mock_provider.last_request
    assert request.path == "/v1/chat/completions"
    assert request.header("authorization") == "Bearer sk-test"
    assert request.body["model"] == "mock-small"


async def collect_openai(client):
    stream = await client.chat.completions.create(
        model="mock-small",
        messages=[{"role": "user", "content": ECHO}],
        stream=True,
        stream_options={"include_usage": True},
    )
    pieces, usage = [], None
    async for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            pieces.append(chunk.choices[0].delta.content)
        usage = chunk.usage or usage
    return pieces, usage


async def test_openai_non_stream_models_and_moderation(mock_provider):
    client = openai.AsyncOpenAI(api_key="k", base_url=mock_provider.openai_url)
    reply = await client.chat.completions.create(
        model="m", messages=[{"role": "user", "content": "echo: done"}]
    )
    assert reply.choices[0].message.content == "done"
    assert [m.id async for m in client.models.list()] == mock_provider.behaviour.models
    result = await client.moderations.create(input="please moderate-me now")
    assert result.results[0].flagged


async def test_azure_deployment_path(mock_provider):
    client = openai.AsyncAzureOpenAI(
        api_key="az",
        azure_endpoint=mock_provider.url,
        api_version="2024-10-21",
        azure_deployment="dep-1",
    )
    reply = await client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "echo: azure"}]
    )
    assert reply.choices[0].message.content == "azure"
    assert mock_provider.last_request.path == "/openai/deployments/dep-1/chat/completions"
    assert mock_provider.last_request.query["api-version"] == "2024-10-21"
    assert mock_provider.last_request.header("api-key") == "az"


async def test_openai_errors_are_the_real_shapes(mock_provider):
    client = openai.AsyncOpenAI(api_key="bad", base_url=mock_provider.openai_url, max_retries=0)
    mock_provider.fail("401")
    with pytest.raises(openai.AuthenticationError):
        await client.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}])
    mock_provider.fail("429")
    with pytest.raises(openai.RateLimitError) as caught:
        await client.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}])
    assert caught.value.response.headers["retry-after"] == "1"


async def test_failure_count_lets_the_sdk_retry(mock_provider):
    mock_provider.fail("500", count=1)
    mock_provider.behaviour.retry_after = 0
    client = openai.AsyncOpenAI(api_key="k", base_url=mock_provider.openai_url, max_retries=1)
    reply = await client.chat.completions.create(
        model="m", messages=[{"role": "user", "content": "echo: again"}]
    )
    assert reply.choices[0].message.content == "again"
    assert len(mock_provider.requests) == 2


async def test_disconnect_mid_stream_breaks_the_connection(mock_provider):
    mock_provider.fail("disconnect")
    client = openai.AsyncOpenAI(api_key="k", base_url=mock_provider.openai_url, max_retries=0)
    stream = await client.chat.completions.create(
        model="m", messages=[{"role": "user", "content": "one two three four"}], stream=True
    )
    received = []
    with pytest.raises(openai.APIError):
        async for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                received.append(chunk.choices[0].delta.content)
    assert 0 < len(received) < 12


def test_ttft_and_tokens_per_second_pace_the_stream(mock_provider):
    mock_provider.behaviour.ttft_ms = 150
    mock_provider.behaviour.tokens_per_second = 50
    mock_provider.behaviour.reply_tokens = 6
    started = time.monotonic()
    body = {"model": "m", "stream": True, "messages": [{"role": "user", "content": "a b"}]}
    with httpx.stream("POST", mock_provider.openai_url + "/chat/completions", json=body) as reply:
        lines = reply.iter_lines()
        next(lines)  # the role chunk comes at once
        next(line for line in lines if '"content"' in line)
        first = time.monotonic() - started
        list(lines)
    total = time.monotonic() - started
    assert 0.14 <= first < 1.0  # generous: CI machines are busy
    assert total >= 0.15 + 5 / 50


def test_a_streamed_reply_is_made_as_it_is_sent():
    """Made whole when its request arrived, a 300-token reply held the mock's event loop
    for 3 ms, and a burst's later requests were read (and stamped as arrived) that late."""
    app = MockApp(Behaviour(reply_tokens=300))
    body = {"model": "m", "stream": True, "messages": [{"role": "user", "content": "a b"}]}
    frames = app.route(RecordedRequest("POST", "/v1/chat/completions", {}, {}, body)).frames
    assert isinstance(frames, Iterator)
    assert b'"role":"assistant"' in next(frames).data
    assert sum(frame.content for frame in frames) == 300


def test_streamed_replies_are_logged_with_their_send_times(mock_provider):
    mock_provider.behaviour.tokens_per_second = 100
    body = {"model": "m", "stream": True, "messages": [{"role": "user", "content": "echo: a b c"}]}
    before = time.time()
    httpx.post(mock_provider.openai_url + "/chat/completions", json=body).raise_for_status()
    httpx.post(mock_provider.openai_url + "/chat/completions", json={**body, "stream": False})
    (logged,) = httpx.get(mock_provider.url + "/mock/streams").json()["streams"]
    assert logged["prompt"] == "echo: a b c"
    assert logged["text"] == "a b c"
    assert logged["content_chunks"] == 3
    assert before <= logged["first_content_at"] <= logged["last_content_at"] - 2 / 100
    assert mock_provider.requests[0].sent.text == "a b c"


async def test_anthropic_stream_with_thinking_and_cache_usage(mock_provider):
    mock_provider.behaviour.cache_read_tokens = 7
    client = anthropic.AsyncAnthropic(api_key="ak", base_url=mock_provider.url)
    text, thinking = [], []
    async with client.messages.stream(
        model="claude-x",
        max_tokens=100,
        system="be nice",
        messages=[{"role": "user", "content": ECHO}],
        thinking={"type": "enabled", "budget_tokens": 1024},
    ) as stream:
        async for event in stream:
            if event.type == "content_block_delta" and event.delta.type == "text_delta":
                text.append(event.delta.text)
            if event.type == "content_block_delta" and event.delta.type == "thinking_delta":
                thinking.append(event.delta.thinking)
        final = await stream.get_final_message()
    assert "".join(text) == EXPECTED
    assert "".join(thinking).startswith("Thinking")
    assert final.usage.cache_read_input_tokens == 7
    headers = mock_provider.last_request.headers
    assert "ak" in (headers.get("x-api-key"), headers.get("authorization", "")[7:])


async def test_anthropic_errors(mock_provider):
    client = anthropic.AsyncAnthropic(api_key="ak", base_url=mock_provider.url, max_retries=0)
    mock_provider.fail("context")
    with pytest.raises(anthropic.BadRequestError, match="prompt is too long"):
        await client.messages.create(
            model="c", max_tokens=5, messages=[{"role": "user", "content": "x"}]
        )


@pytest.mark.parametrize("version", ["v1", "v1beta"])
async def test_gemini_stream_on_both_api_versions(mock_provider, version):
    client = genai.Client(
        api_key="gk",
        http_options=gtypes.HttpOptions(base_url=mock_provider.url, api_version=version),
    )
    pieces, thoughts, usage = [], [], None
    stream = await client.aio.models.generate_content_stream(
        model="gemini-x",
        contents=ECHO,
        config=gtypes.GenerateContentConfig(
            thinking_config=gtypes.ThinkingConfig(include_thoughts=True)
        ),
    )
    async for chunk in stream:
        for part in chunk.candidates[0].content.parts or []:
            (thoughts if part.thought else pieces).append(part.text)
        usage = chunk.usage_metadata or usage
    assert "".join(pieces) == EXPECTED
    assert thoughts
    assert usage.candidates_token_count > 0
    request = mock_provider.last_request
    assert request.path == f"/{version}/models/gemini-x:streamGenerateContent"
    assert request.query["alt"] == "sse"
    assert request.header("x-goog-api-key") == "gk"


async def test_gemini_generate_content(mock_provider):
    client = genai.Client(api_key="gk", http_options=gtypes.HttpOptions(base_url=mock_provider.url))
    reply = await client.aio.models.generate_content(model="g", contents="echo: plain")
    assert reply.text == "plain"


def bedrock(mock_provider):
    return boto3.client(
        "bedrock-runtime",
        region_name="us-east-1",
        endpoint_url=mock_provider.url,
        aws_access_key_id="AKIA",
        aws_secret_access_key="secret",
        config=Config(retries={"max_attempts": 1}),
    )


def test_bedrock_converse_stream_is_decoded_by_botocore(mock_provider):
    reply = bedrock(mock_provider).converse_stream(
        modelId="anthropic.claude-3-haiku-20240307-v1:0",
        messages=[{"role": "user", "content": [{"text": ECHO}]}],
        additionalModelRequestFields={"thinking": {"type": "enabled", "budget_tokens": 1024}},
    )
    text, reasoning, usage = [], [], None
    for event in reply["stream"]:
        delta = event.get("contentBlockDelta", {}).get("delta", {})
        text.append(delta.get("text", ""))
        reasoning.append(delta.get("reasoningContent", {}).get("text", ""))
        usage = event.get("metadata", {}).get("usage", usage)
    assert "".join(text) == EXPECTED
    assert "".join(reasoning).startswith("Thinking")
    assert usage["outputTokens"] > 0
    request = mock_provider.last_request
    assert request.path == "/model/anthropic.claude-3-haiku-20240307-v1:0/converse-stream"
    assert request.header("authorization").startswith("AWS4-HMAC-SHA256")


def test_bedrock_converse_and_errors(mock_provider):
    client = bedrock(mock_provider)
    reply = client.converse(
        modelId="m", messages=[{"role": "user", "content": [{"text": "echo: ok"}]}]
    )
    assert reply["output"]["message"]["content"][0]["text"] == "ok"
    mock_provider.fail("429")
    with pytest.raises(client.exceptions.ThrottlingException):
        client.converse(modelId="m", messages=[{"role": "user", "content": [{"text": "x"}]}])


# Each wire's usage figures: (path, body, where the prompt and completion figures are).
USAGE_WIRES = {
    "openai": ("/v1/chat/completions", {"model": "m"},
               lambda u: u["usage"], ("prompt_tokens", "completion_tokens")),
    "anthropic": ("/v1/messages", {"model": "m", "max_tokens": 9},
                  lambda u: u["usage"], ("input_tokens", "output_tokens")),
    "gemini": ("/v1beta/models/m:generateContent", {},
               lambda u: u["usageMetadata"], ("promptTokenCount", "candidatesTokenCount")),
    "bedrock": ("/model/m/converse", {},
                lambda u: u["usage"], ("inputTokens", "outputTokens")),
}  # fmt: skip


def _answer(mock_provider, wire: str) -> dict:
    path, body, _, _ = USAGE_WIRES[wire]
    prompt = {"messages": [{"role": "user", "content": "hello"}]}
    if wire == "gemini":
        prompt = {"contents": [{"role": "user", "parts": [{"text": "hello"}]}]}
    elif wire == "bedrock":
        prompt = {"messages": [{"role": "user", "content": [{"text": "hello"}]}]}
    reply = httpx.post(mock_provider.url + path, json={**body, **prompt})
    reply.raise_for_status()
    return reply.json()


@pytest.mark.parametrize("wire", list(USAGE_WIRES))
def test_usage_figures_can_lie_or_be_left_out(mock_provider, wire):
    _, _, usage_of, (prompt, completion) = USAGE_WIRES[wire]
    honest = usage_of(_answer(mock_provider, wire))
    assert honest[prompt] > 0 and honest[completion] > 0
    mock_provider.behaviour.usage = {"prompt": -1_000_000, "completion": "many"}
    lying = usage_of(_answer(mock_provider, wire))
    assert (lying[prompt], lying[completion]) == (-1_000_000, "many")
    mock_provider.behaviour.usage = {}
    mock_provider.behaviour.omit_usage = True
    assert "usage" not in _answer(mock_provider, wire)
    assert "usageMetadata" not in _answer(mock_provider, wire)


def test_a_streamed_usage_can_lie_or_be_left_out(mock_provider):
    body = {"model": "m", "stream": True, "stream_options": {"include_usage": True},
            "messages": [{"role": "user", "content": "echo: a b"}]}  # fmt: skip
    url = mock_provider.openai_url + "/chat/completions"
    mock_provider.behaviour.usage = {"completion": 2.5, "cache_read": -3}
    streamed = httpx.post(url, json=body).text
    assert '"completion_tokens":2.5' in streamed and '"cached_tokens":-3' in streamed
    mock_provider.behaviour.omit_usage = True
    assert '"usage"' not in httpx.post(url, json=body).text
