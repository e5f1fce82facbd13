"""Images through the /v1 API (chatapp/gateway/images.py): OpenAI `image_url` data URLs and
Anthropic base64 image blocks reach the provider as the bytes sent, through the official
SDKs against a live Parley; held to an upload's limits (the endpoint's fileConfig, the
type sniffed from the bytes) and to models that read images; remote URLs refused."""

from __future__ import annotations

import base64
import hashlib
import io
import os
from pathlib import Path

import anthropic
import openai
import pytest
from PIL import Image

from tests.chatapp.gateway.conftest import TOKEN_CONFIG

pytestmark = pytest.mark.django_db(transaction=True)
VISION = "Mock/mock-large"  # PARLEY_VISION_MODELS below


@pytest.fixture(scope="module")
def gateway_config(_mock_provider_server, tmp_path_factory) -> Path:
    """The Mock endpoint, whose files may be 16 KB at most."""
    path = tmp_path_factory.mktemp("gateway-images") / "librechat.yaml"
    path.write_text(f"""
version: 1.3.14
fileConfig:
  endpoints:
    Mock: {{fileSizeLimit: 0.015625, fileLimit: 2}}
endpoints:
  custom:
    - name: Mock
      apiKey: sk-mock
      baseURL: {_mock_provider_server.openai_url}
      models: {{default: [mock-small, mock-large]}}
      titleConvo: false
{TOKEN_CONFIG}
""")
    return path


@pytest.fixture(scope="module")
def live_env(live_env) -> dict:
    return {**live_env, "PARLEY_VISION_MODELS": "mock-large"}


def png(size: int = 4, noise: bool = False) -> bytes:
    image = (
        Image.frombytes("RGB", (size, size), os.urandom(size * size * 3))
        if noise
        else (Image.new("RGB", (size, size), "blue"))
    )
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def data_url(data: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def seen(data: bytes) -> str:
    """The mock's `echo-parts:` line for an image of these bytes."""
    return f"image image/png {len(data)} {hashlib.sha256(data).hexdigest()}"


def client(base: str, key: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=base, api_key=key, max_retries=0, timeout=30)


def asking(*parts: dict) -> list[dict]:
    return [{"role": "user", "content": [{"type": "text", "text": "echo-parts: look"}, *parts]}]


def image_part(url: str) -> dict:
    return {"type": "image_url", "image_url": {"url": url}}


@pytest.mark.parametrize("stream", [False, True])
def test_an_image_url_reaches_the_provider_as_sent(live, gateway, user, make_key, stream):
    image = png()
    answer = client(live, make_key(user)).chat.completions.create(
        model=VISION, messages=asking(image_part(data_url(image, "image/jpeg"))), stream=stream
    )
    text = (
        "".join(c.choices[0].delta.content or "" for c in answer if c.choices)
        if stream
        else answer.choices[0].message.content
    )
    assert seen(image) in text.splitlines()
    sent = gateway.last_request.body["messages"][-1]["content"]
    assert sent[1]["image_url"]["url"] == data_url(image)  # the sniffed type, not the client's


def test_an_anthropic_image_block_reaches_the_provider_as_sent(live, user, make_key):
    image = png()
    claude = anthropic.Anthropic(
        base_url=live.removesuffix("/v1"), api_key=make_key(user), max_retries=0
    )
    source = {"type": "base64", "media_type": "image/png", "data": base64.b64encode(image).decode()}
    blocks = [{"type": "text", "text": "echo-parts: look"}, {"type": "image", "source": source}]
    with claude.messages.stream(
        model=VISION, max_tokens=200, messages=[{"role": "user", "content": blocks}]
    ) as stream:
        assert seen(image) in stream.get_final_message().content[0].text.splitlines()


def test_images_are_held_to_the_upload_limits_and_to_vision_models(live, gateway, user, make_key):
    sdk = client(live, make_key(user))
    refused = {
        "unreadable_attachment": ("Mock/mock-small", [image_part(data_url(png()))]),
        "unsupported_image_url": (VISION, [image_part("https://example.com/cat.png")]),
        "unsupported_type": (VISION, [image_part(data_url(b"%PDF-1.4 not an image"))]),
        "file_too_large": (VISION, [image_part(data_url(png(96, noise=True)))]),
        "too_many_files": (VISION, [image_part(data_url(png()))] * 3),
    }
    for code, (model, parts) in refused.items():
        with pytest.raises(openai.APIStatusError) as failed:
            sdk.chat.completions.create(model=model, messages=asking(*parts))
        assert failed.value.body["code"] == code, failed.value.body
        assert failed.value.status_code in (400, 413)
        assert failed.value.body["param"].startswith("messages[0].content[")
    assert not gateway.requests  # nothing reached the provider
