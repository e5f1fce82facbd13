"""The request an adapter receives: the user's parameters allow-listed, then the operator's.

Driven through each real SDK against the mock provider, which records what reached the wire.
"""

import json

import pytest

from endpoints import requests
from endpoints.adapters.base import ChatMessage, RequestContext
from endpoints.registry import adapter_class
from endpoints.userparams import BadParameter

from .adapters.conftest import KINDS, MODELS, mock_endpoint
from .adapters.helpers import run

MARK = "HOSTILE"
HOSTILE = {
    "model": f"gpt-{MARK}",
    "messages": [{"role": "user", "content": MARK}],
    "contents": [{"role": "user", "parts": [{"text": MARK}]}],
    "system": MARK,
    "systemInstruction": {"parts": [{"text": MARK}]},
    "tools": [{"type": "function", "function": {"name": MARK}}],
    "tool_choice": "required",
    "n": 5,
    "store": True,
    "stream": False,
    "stream_options": {"include_usage": False},
    "extra_headers": {"X-Hostile": MARK},
    "extra_body": {"model": MARK},
    "extra_query": {"api-version": MARK},
    "anthropic-beta": f"{MARK}-beta",
    "betas": [f"{MARK}-beta"],
    "headers": {"anthropic-beta": f"{MARK}-beta"},
    "additionalModelRequestFields": {"x": MARK},
}
ALLOWED = {"temperature": 0.25, "maxOutputTokens": 77}
# Where each wire format carries temperature and the output limit.
SENT = {
    "openai": lambda body: (body["temperature"], body["max_tokens"]),
    "azure": lambda body: (body["temperature"], body["max_tokens"]),
    "anthropic": lambda body: (body["temperature"], body["max_tokens"]),
    "google": lambda body: (
        body["generationConfig"]["temperature"],
        body["generationConfig"]["maxOutputTokens"],
    ),
    "bedrock": lambda body: (
        body["inferenceConfig"]["temperature"],
        body["inferenceConfig"]["maxTokens"],
    ),
}


@pytest.fixture
def endpoint_for(mock_provider, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", mock_provider.url)
    return lambda kind, **fields: mock_endpoint(mock_provider, kind, **fields)


def build(endpoint, kind: str, params):
    messages = [ChatMessage("system", "You are terse."), ChatMessage("user", "echo: ok")]
    return requests.build(endpoint, MODELS[kind], messages, params, RequestContext())


def keys_in(value) -> set[str]:
    if isinstance(value, dict):
        return set(value).union(*(keys_in(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(keys_in(v) for v in value))
    return set()


@pytest.mark.parametrize("kind", KINDS)
async def test_hostile_params_never_reach_the_wire(mock_provider, endpoint_for, kind):
    endpoint = endpoint_for(kind)
    adapter = adapter_class(kind)(endpoint, max_retries=0)
    outcome = await run(adapter, build(endpoint, kind, {**HOSTILE, **ALLOWED}))
    assert outcome.error is None and outcome.text == "ok"
    sent = mock_provider.last_request
    wire = json.dumps([sent.path, sent.query, sent.headers, sent.body])
    assert MARK not in wire
    assert MODELS[kind].split(":")[0] in sent.path + json.dumps(sent.body)
    assert not keys_in(sent.body) & {"n", "store", "tools", "tool_choice", "extra_body", "betas"}
    if kind in ("openai", "azure", "anthropic"):
        assert sent.body["stream"] is True
    assert SENT[kind](sent.body) == (0.25, 77)  # what the user may set arrives


@pytest.mark.parametrize("kind", KINDS)
def test_a_bad_value_is_refused_before_any_request(mock_provider, endpoint_for, kind):
    with pytest.raises(BadParameter) as refused:
        build(endpoint_for(kind), kind, {"temperature": 5})
    assert refused.value.key == "temperature"
    assert mock_provider.requests == []


async def test_the_operators_add_and_drop_params_stay_unrestricted(mock_provider, endpoint_for):
    endpoint = endpoint_for(
        "openai",
        add_params={"n": 1, "store": False, "metadata": {"team": "blue"}},
        drop_params=("temperature",),
    )
    adapter = adapter_class("openai")(endpoint, max_retries=0)
    await run(adapter, build(endpoint, "openai", {"temperature": 0.3, "n": 5, "topP": 0.5}))
    body = mock_provider.last_request.body
    assert (body["n"], body["store"], body["metadata"]) == (1, False, {"team": "blue"})
    assert "temperature" not in body and body["top_p"] == 0.5
