"""Endpoints of every adapter kind pointed at the mock provider."""

import pytest

from endpoints.endpoint import AzureDeployment, BedrockOptions, Endpoint, GoogleOptions, ModelList

MODELS = {
    "openai": "gpt-4o-mini",
    "azure": "gpt-4o",
    "anthropic": "claude-sonnet-4",
    "google": "gemini-2.5-flash",
    "bedrock": "anthropic.claude-3-5-sonnet-20240620-v1:0",
}
KINDS = list(MODELS)


def mock_endpoint(mock, kind: str, **fields) -> Endpoint:
    values: dict = {"name": f"my-{kind}", "kind": kind}
    if kind == "openai":
        values |= {"api_key": "sk-test", "base_url": mock.openai_url}
    elif kind == "azure":
        deployment = AzureDeployment(
            model="gpt-4o", group="eu", api_key="az-key", base_url=mock.url,
            deployment_name="gpt4o-eu", version="2024-10-21", headers={"X-Group": "eu"},
        )  # fmt: skip
        values |= {"azure": {"gpt-4o": deployment}}
    elif kind == "anthropic":
        values |= {"api_key": "ak-test", "base_url": mock.url}
    elif kind == "google":
        safety = {"HARM_CATEGORY_HARASSMENT": "BLOCK_ONLY_HIGH"}
        values |= {"api_key": "gk-test", "base_url": mock.url,
                   "google": GoogleOptions(safety_settings=safety)}  # fmt: skip
    else:
        options = BedrockOptions(
            region="us-east-1", access_key_id="AKIATEST", secret_access_key="s"
        )
        values |= {"bedrock": options, "models": ModelList(default=(MODELS["bedrock"],))}
    return Endpoint(**{**values, **fields})


@pytest.fixture
def endpoint_for(mock_provider, monkeypatch):
    """`endpoint_for(kind, **fields)`; Bedrock reaches the mock the standard AWS way."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", mock_provider.url)

    def build(kind: str, **fields) -> Endpoint:
        return mock_endpoint(mock_provider, kind, **fields)

    return build
