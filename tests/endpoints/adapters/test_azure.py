"""The Azure adapter: AsyncAzureOpenAI per deployment, against the mock's Azure paths."""

from endpoints.adapters.azure import AzureAdapter
from endpoints.adapters.base import ErrorKind
from endpoints.endpoint import AzureDeployment

from .helpers import request_for, run


async def test_deployment_path_version_key_and_group_headers(mock_provider, endpoint_for):
    endpoint = endpoint_for("azure")
    outcome = await run(AzureAdapter(endpoint), request_for(endpoint, "echo: ok", "gpt-4o"))
    assert outcome.text == "ok"
    sent = mock_provider.last_request
    assert sent.path == "/openai/deployments/gpt4o-eu/chat/completions"
    assert sent.query == {"api-version": "2024-10-21"}
    assert sent.header("api-key") == "az-key"
    assert sent.header("x-group") == "eu"


async def test_serverless_group(mock_provider, endpoint_for):
    serverless = AzureDeployment(
        model="mistral", group="s", api_key="sv-key", base_url=mock_provider.openai_url,
        deployment_name=None, version="2024-05-01-preview", serverless=True,
    )  # fmt: skip
    endpoint = endpoint_for("azure", azure={"mistral": serverless})
    outcome = await run(AzureAdapter(endpoint), request_for(endpoint, "echo: s", "mistral"))
    assert outcome.text == "s"
    sent = mock_provider.last_request
    assert sent.path == "/v1/chat/completions"
    assert sent.header("api-key") == "sv-key"
    assert sent.query == {"api-version": "2024-05-01-preview"}


async def test_a_model_without_deployment_is_unknown(endpoint_for):
    endpoint = endpoint_for("azure")
    outcome = await run(AzureAdapter(endpoint), request_for(endpoint, "hi", "gpt-5"))
    assert outcome.error.kind == ErrorKind.UNKNOWN_MODEL
    assert await AzureAdapter(endpoint).list_models(request_for(endpoint, "x").context) == [
        "gpt-4o"
    ]
