"""First run with a local model: nothing is configured, but an Ollama server answers.

When the configuration has no endpoint at all (no `endpoints` in librechat.yaml, no
provider key in the .env) and an Ollama server answers `GET {OLLAMA_BASE_URL}/api/tags`
(LibreChat's variable; default `http://localhost:11434`), Parley offers that server as a
custom endpoint named "Ollama" on its OpenAI-compatible path (`/v1`), with the models it
lists (fetched again as the registry refreshes model lists), and the chat page says so.
The probe runs once per loaded configuration (`endpoints.config.current`): start Ollama,
then Parley, or restart Parley after pulling Ollama up. A configured endpoint always wins:
nothing is probed then.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from types import MappingProxyType

import httpx

from endpoints import build, schema
from endpoints.endpoint import Config

NAME = "Ollama"
TIMEOUT = 2.0  # seconds: a first page must not hang on a host that does not answer
log = logging.getLogger(__name__)


def offer(config: Config, base_url: str) -> Config:
    """`config`, or, when it has no endpoint and Ollama answers at `base_url`, a config
    offering that server (its `local_model` says where)."""
    base = base_url.rstrip("/").removesuffix("/v1")
    if config.endpoints or not base:
        return config
    models = tags(base)
    if not models:
        return config
    log.warning("no endpoint is configured: offering the Ollama server at %s", base)
    return replace(config, endpoints=MappingProxyType({NAME: endpoint(base, models)}),
                   local_model=base)  # fmt: skip


def tags(base: str) -> list[str]:
    """The model names Ollama lists at `base`, or [] when nothing (or no Ollama) answers."""
    try:
        reply = httpx.get(f"{base}/api/tags", timeout=TIMEOUT)
        reply.raise_for_status()
        return [str(item["name"]) for item in reply.json()["models"] if item.get("name")]
    except (httpx.HTTPError, ValueError, KeyError, TypeError, AttributeError):
        return []


def endpoint(base: str, models: list[str]):
    """The custom endpoint LibreChat's docs give for Ollama, on the server found."""
    item = schema.CustomEndpoint(
        name=NAME,
        apiKey="ollama",  # Ollama ignores the key; the SDK needs one
        baseURL=f"{base}/v1",
        models={"default": models, "fetch": True},
        titleConvo=True,
        modelDisplayLabel=NAME,
    )
    return build.custom_endpoint(item, build.Common({}, None, None, None), [])
