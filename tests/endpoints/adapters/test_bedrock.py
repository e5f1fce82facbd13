"""The Bedrock adapter on boto3 `converse_stream` against the mock's binary event stream."""

import json

from endpoints.adapters.bedrock import BedrockAdapter
from endpoints.endpoint import USER_PROVIDED, BedrockOptions

from .conftest import MODELS
from .helpers import request_for, run


async def test_reasoning_cache_usage_and_inference_config(mock_provider, endpoint_for):
    mock_provider.behaviour.cache_read_tokens = 10
    endpoint = endpoint_for("bedrock")
    params = {"thinking": True, "thinkingBudget": 1024, "maxTokens": 300, "temperature": 0.5}
    request = request_for(endpoint, "echo: ok", MODELS["bedrock"], params=params)
    outcome = await run(BedrockAdapter(endpoint), request)
    assert outcome.reasoning.startswith("Thinking about")
    assert outcome.text == "ok"
    assert outcome.usage.cache_read_tokens == 10
    sent = mock_provider.last_request
    assert sent.path == f"/model/{MODELS['bedrock']}/converse-stream"
    assert sent.header("authorization").startswith("AWS4-HMAC-SHA256 Credential=AKIATEST/")
    assert sent.body["inferenceConfig"] == {"maxTokens": 300, "temperature": 0.5}
    assert sent.body["additionalModelRequestFields"] == {
        "thinking": {"type": "enabled", "budget_tokens": 1024}
    }
    assert sent.body["system"] == [{"text": "You are terse."}]


async def test_user_provided_credentials_and_inference_profiles(mock_provider, endpoint_for):
    options = BedrockOptions(
        region="eu-west-1",
        secret_access_key=USER_PROVIDED,
        inference_profiles={"claude": "arn:aws:bedrock:eu-west-1:1:inference-profile/x"},
    )
    endpoint = endpoint_for("bedrock", bedrock=options)
    supplied = json.dumps({"accessKeyId": "AKIAUSER", "secretAccessKey": "s"})
    outcome = await run(
        BedrockAdapter(endpoint), request_for(endpoint, "echo: mine", "claude", api_key=supplied)
    )
    assert outcome.text == "mine"
    sent = mock_provider.last_request
    assert "Credential=AKIAUSER/" in sent.header("authorization")
    assert "/eu-west-1/bedrock/" in sent.header("authorization")
    assert sent.path.endswith("inference-profile/x/converse-stream")


async def test_missing_user_credentials(endpoint_for):
    options = BedrockOptions(region="us-east-1", secret_access_key=USER_PROVIDED)
    endpoint = endpoint_for("bedrock", bedrock=options)
    outcome = await run(BedrockAdapter(endpoint), request_for(endpoint, "hi", "m"))
    assert outcome.error.user_message == "No API key is set for endpoint my-bedrock."


async def test_models_are_the_configured_ones(endpoint_for):
    endpoint = endpoint_for("bedrock")
    names = await BedrockAdapter(endpoint).list_models(request_for(endpoint, "x").context)
    assert names == [MODELS["bedrock"]]


async def test_guardrail_config_is_sent(mock_provider, endpoint_for):
    guardrail = {"guardrailIdentifier": "g-1", "guardrailVersion": "1"}
    options = BedrockOptions(
        region="us-east-1", access_key_id="AKIATEST", secret_access_key="s", guardrail=guardrail
    )
    endpoint = endpoint_for("bedrock", bedrock=options)
    outcome = await run(BedrockAdapter(endpoint), request_for(endpoint, "echo: ok", "m"))
    assert outcome.text == "ok"
    assert mock_provider.last_request.body["guardrailConfig"] == guardrail
