"""Azure OpenAI: the `openai` SDK's AsyncAzureOpenAI, one deployment per model (azureOpenAI groups).

The wire format is OpenAI's, so everything but the client comes from OpenAIAdapter.
"""

from __future__ import annotations

import httpx2
import openai

from endpoints.endpoint import USER_PROVIDED, AzureDeployment

from . import errors
from .base import ProviderError, RequestContext
from .common import CONNECT_TIMEOUT
from .openai import OpenAIAdapter


class AzureAdapter(OpenAIAdapter):
    managed_headers = ("api-key", "authorization")

    def deployment(self, model: str) -> AzureDeployment:
        deployment = self.endpoint.azure.get(model)
        if deployment is None:
            raise ProviderError.unknown_model(
                f"Model {model} is not available on endpoint {self.endpoint.name}."
            )
        return deployment

    def client(self, context: RequestContext, model: str = "") -> openai.AsyncOpenAI:
        deployment = self.deployment(model)
        key = context.api_key if deployment.api_key == USER_PROVIDED else deployment.api_key
        if not key:
            raise errors.missing_key(self.endpoint.name)
        return self._clients.get(key, model)

    def _new_client(self, api_key: str, model: str) -> openai.AsyncOpenAI:
        deployment = self.deployment(model)
        common = {
            "api_key": api_key,
            "timeout": httpx2.Timeout(self.timeout, connect=CONNECT_TIMEOUT),
            "max_retries": self.max_retries,
            "http_client": self._http_client(None),
        }
        if deployment.serverless or not deployment.deployment_name:
            # Serverless models: an OpenAI-style URL authenticated with `api-key`.
            query = {"api-version": deployment.version} if deployment.version else None
            return openai.AsyncOpenAI(
                base_url=deployment.base_url,
                default_headers={"api-key": api_key},
                default_query=query,
                **common,
            )
        return openai.AsyncAzureOpenAI(
            azure_endpoint=deployment.base_url,
            azure_deployment=deployment.deployment_name,
            api_version=deployment.version,
            **common,
        )

    async def _list_models(self, context: RequestContext) -> list[str]:
        """Azure groups list their models in the config; there is nothing to fetch."""
        return list(self.endpoint.azure)
