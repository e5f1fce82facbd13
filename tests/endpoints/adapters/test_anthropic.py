"""The Anthropic adapter on the real `anthropic` SDK against the mock provider."""

from endpoints import requests, tokens
from endpoints.adapters.anthropic import AnthropicAdapter
from endpoints.adapters.base import ChatMessage
from endpoints.endpoint import TokenRate

from .helpers import request_for, run


async def test_thinking_streams_as_reasoning_and_cache_usage_is_billed(mock_provider, endpoint_for):
    mock_provider.behaviour.cache_read_tokens = 100
    mock_provider.behaviour.cache_write_tokens = 50
    endpoint = endpoint_for(
        "anthropic", token_config={"claude-x": TokenRate(3, 15, 200_000, 0.3, 3.75)}
    )
    request = request_for(
        endpoint, "echo: done", "claude-x", params={"thinking": True, "thinkingBudget": 1024}
    )
    outcome = await run(AnthropicAdapter(endpoint), request)
    assert outcome.reasoning.startswith("Thinking about claude-x")
    assert outcome.text == "done"
    usage = outcome.usage
    assert (usage.cache_read_tokens, usage.cache_write_tokens) == (100, 50)
    assert usage.prompt_tokens > 150  # uncached input plus both cache counts
    cost = tokens.cost(usage, tokens.rate_for("claude-x", endpoint.token_config))
    plain = usage.prompt_tokens - 150
    expected = (plain * 3 + 100 * 0.3 + 50 * 3.75 + usage.completion_tokens * 15) / 1e6
    assert cost == expected
    body = mock_provider.last_request.body
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 1024}
    assert body["system"][0]["text"] == "You are terse."
    assert body["max_tokens"] == 8192
    assert [m["role"] for m in body["messages"]] == ["user"]


async def test_custom_anthropic_endpoint_params_and_merged_beta_header(mock_provider, endpoint_for):
    endpoint = endpoint_for(
        "anthropic",
        custom=True,
        headers={"anthropic-beta": "context-1m-2025-08-07", "X-Team": "blue"},
        add_params={"metadata": {"user_id": "u1"}, "betas": ["files-api-2025-04-14"]},
        drop_params=("temperature",),
    )
    request = request_for(endpoint, "echo: ok", "claude-x", params={"temperature": 0.2})
    outcome = await run(AnthropicAdapter(endpoint), request)
    assert outcome.text == "ok"
    sent = mock_provider.last_request
    assert sent.header("anthropic-beta") == "context-1m-2025-08-07,files-api-2025-04-14"
    assert sent.header("x-team") == "blue"
    assert sent.body["metadata"] == {"user_id": "u1"}
    assert "temperature" not in sent.body and "betas" not in sent.body


async def test_list_models(mock_provider, endpoint_for):
    endpoint = endpoint_for("anthropic")
    names = await AnthropicAdapter(endpoint).list_models(request_for(endpoint, "x").context)
    assert names == mock_provider.behaviour.models
    assert mock_provider.last_request.header("anthropic-version")


async def test_prompt_cache_breakpoints_for_claude(mock_provider, endpoint_for):
    endpoint = endpoint_for("anthropic")
    messages = [
        ChatMessage("system", "Rules."),
        ChatMessage("user", "one"),
        ChatMessage("assistant", "two"),
        ChatMessage("user", "echo: three"),
    ]
    request = requests.build(endpoint, "claude-sonnet-4", messages)
    outcome = await run(AnthropicAdapter(endpoint), request)
    assert outcome.text == "three"
    body = mock_provider.last_request.body
    point = {"type": "ephemeral"}
    assert body["system"] == [{"type": "text", "text": "Rules.", "cache_control": point}]
    assert body["messages"][0]["content"] == [
        {"type": "text", "text": "one", "cache_control": point}
    ]
    assert body["messages"][1]["content"] == "two"
    assert body["messages"][2]["content"][0]["cache_control"] == point
    off = requests.build(endpoint, "claude-sonnet-4", messages, {"promptCache": False})
    await run(AnthropicAdapter(endpoint), off)
    assert mock_provider.last_request.body["system"] == "Rules."
