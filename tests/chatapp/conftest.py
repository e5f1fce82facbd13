"""Chat fixtures: a librechat.yaml whose endpoint is the real mock provider, and sockets."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from endpoints import config, registry

ENDPOINT = "Mock"
MODEL = "mock-small"


def librechat_yaml(mock_url: str, stream_rate: float = 1, token_config: str = "") -> str:
    return f"""
version: 1.3.14
endpoints:
  custom:
    - name: {ENDPOINT}
      apiKey: sk-mock
      baseURL: {mock_url}
      models: {{default: [{MODEL}, mock-large]}}
      streamRate: {stream_rate}
      titleConvo: false
{token_config}
"""


def use_config(settings, path: Path, text: str) -> None:
    path.write_text(text)
    settings.CONFIG_PATH = str(path)
    config.current.cache_clear()
    registry.current.cache_clear()


@pytest.fixture
def chat_endpoint(mock_provider, settings, tmp_path):
    """Point Parley at the mock provider; call it to change streamRate or tokenConfig."""

    def configure(stream_rate: float = 1, token_config: str = "") -> None:
        text = librechat_yaml(mock_provider.openai_url, stream_rate, token_config)
        use_config(settings, tmp_path / "librechat.yaml", text)

    configure()
    yield configure
    config.current.cache_clear()
    registry.current.cache_clear()


@pytest.fixture(autouse=True)
async def _fresh_layer_and_connections():
    """Each test runs on its own event loop: give it its own channel layer (a Redis
    layer's connections belong to one loop), and close the database connection
    that async ORM calls leave open in asgiref's worker thread."""
    from channels.layers import channel_layers
    from django.db import connections

    channel_layers.backends.clear()
    yield
    layer = channel_layers.backends.pop("default", None)
    if hasattr(layer, "close_pools"):
        await layer.close_pools()
    await sync_to_async(connections.close_all)()


async def connect(user) -> WebsocketCommunicator:
    from chatapp.consumers import ChatConsumer

    socket = WebsocketCommunicator(ChatConsumer.as_asgi(), "/ws/chat/")
    socket.scope["user"] = user
    connected, _ = await socket.connect()
    assert connected
    return socket


async def frames_until(socket, kind: str, wait: float = 10) -> list[dict[str, Any]]:
    """Every frame received up to and including the first of type `kind`."""
    received = []
    while True:
        frame = await socket.receive_json_from(timeout=wait)
        assert json.loads(json.dumps(frame)) == frame
        received.append(frame)
        if frame["type"] == kind:
            return received


def send_frame(text: str, **fields: Any) -> dict[str, Any]:
    return {"type": "send", "conversation_id": None, "parent_id": None, "text": text,
            "endpoint": ENDPOINT, "model": MODEL, "params": {}, **fields}  # fmt: skip


def joined(frames: list[dict[str, Any]], field: str = "text") -> str:
    return "".join(f[field] for f in frames if f["type"] == "delta")


async def settle() -> None:
    """Let every generation of this process finish."""
    from chatapp import generation

    await asyncio.wait_for(generation.wait_all(), timeout=20)
