"""First run with a local model: nothing configured, Ollama answering at OLLAMA_BASE_URL.

The mock provider is the HTTP double of Ollama: `GET /api/tags` lists its models and its
OpenAI-compatible chat answers under `/v1` (endpoints/mock/, from Ollama's API docs)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from endpoints import config, local, registry
from endpoints.adapters.base import RequestContext

EMPTY = "version: 1.3.14\n"
CONFIGURED = """
version: 1.3.14
endpoints:
  custom:
    - name: Groq
      apiKey: k
      baseURL: http://127.0.0.1:9/v1
      models: { default: [llama-3] }
"""


def loaded(tmp_path, text: str):
    path = tmp_path / "librechat.yaml"
    path.write_text(text)
    return config.load(str(path), {})


def test_nothing_configured_and_ollama_answering_offers_it(tmp_path, mock_provider):
    offered = local.offer(loaded(tmp_path, EMPTY), mock_provider.url)
    endpoint = offered.get("Ollama")
    assert offered.local_model == mock_provider.url
    assert [e.name for e in offered.available()] == ["Ollama"]
    assert endpoint.base_url == f"{mock_provider.url}/v1" and endpoint.models.fetch
    assert endpoint.models.default == tuple(mock_provider.behaviour.models)
    assert mock_provider.last_request.path == "/api/tags"


def test_a_base_url_with_v1_or_a_slash_is_the_same_server(tmp_path, mock_provider):
    for written in (f"{mock_provider.url}/", f"{mock_provider.url}/v1"):
        assert local.offer(loaded(tmp_path, EMPTY), written).local_model == mock_provider.url


def test_a_configured_endpoint_wins_and_nothing_is_probed(tmp_path, mock_provider):
    configured = loaded(tmp_path, CONFIGURED)
    assert local.offer(configured, mock_provider.url) is configured
    assert not mock_provider.requests


@pytest.mark.parametrize("base", ["", "http://127.0.0.1:9"])
def test_no_ollama_leaves_the_configuration_as_it_is(tmp_path, base):
    empty = loaded(tmp_path, EMPTY)
    assert local.offer(empty, base) is empty


@pytest.fixture
def not_ollama():
    """Another HTTP server on loopback: 404 for /api/tags, or JSON without `models`."""
    answers = {"/api/tags": (404, b"not found"), "/other/api/tags": (200, b'{"data": []}')}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            status, body = answers.get(self.path, (404, b""))
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("path", ["", "/other"])
def test_a_server_that_is_not_ollama_is_not_offered(tmp_path, not_ollama, path):
    empty = loaded(tmp_path, EMPTY)
    assert local.offer(empty, not_ollama + path) is empty


async def test_the_offered_endpoint_lists_and_chats_through_the_sdk(tmp_path, mock_provider):
    offered = local.offer(loaded(tmp_path, EMPTY), mock_provider.url)
    found = registry.Registry(offered)
    names = await found.models("Ollama", RequestContext())
    assert names == mock_provider.behaviour.models
    assert mock_provider.last_request.path == "/api/tags"


def test_the_running_process_offers_it(settings, tmp_path, mock_provider):
    path = tmp_path / "librechat.yaml"
    path.write_text(EMPTY)
    settings.CONFIG_PATH, settings.OLLAMA_BASE_URL = str(path), mock_provider.url
    config.current.cache_clear()
    try:
        assert config.current().local_model == mock_provider.url
    finally:
        config.current.cache_clear()
