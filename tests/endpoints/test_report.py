"""endpoints.report: secrets are masked; the table names every endpoint and why one is off."""

from __future__ import annotations

from endpoints.endpoint import USER_PROVIDED, BedrockOptions, Config, Endpoint
from endpoints.report import key_of, mask, render


def test_mask_never_shows_a_usable_key() -> None:
    assert mask("sk-proj-abcdefghijklmnop1234") == "sk-…1234"
    assert mask("short-key") == "****"
    assert mask(USER_PROVIDED) == USER_PROVIDED
    assert mask("${GROQ_API_KEY}") == "${GROQ_API_KEY}"  # a reference, not a secret
    assert mask(None) == "-"


def test_bedrock_credentials_are_masked() -> None:
    aws = BedrockOptions(
        region="us-east-1", access_key_id="AKIAIOSFODNN7EXAMPLE", secret_access_key="s" * 40
    )
    assert key_of(Endpoint(name="bedrock", kind="bedrock", bedrock=aws)) == "aws AKI…MPLE"


def test_render_lists_endpoints_then_problems() -> None:
    endpoints = {
        "openAI": Endpoint(
            name="openAI",
            kind="openai",
            api_key="sk-1234567890abcdefXYZ",
            key_source="OPENAI_API_KEY",
        ),
        "groq": Endpoint(
            name="groq",
            kind="openai",
            api_key="${GROQ_API_KEY}",
            base_url="https://api.groq.com/openai/v1",
            unavailable="GROQ_API_KEY is not set",
            custom=True,
        ),
    }
    text = render("librechat.yaml", Config("librechat.yaml", endpoints), [])
    lines = text.splitlines()
    assert lines[0] == "Configuration: librechat.yaml"
    assert lines[1].split() == [
        "endpoint",
        "kind",
        "base",
        "URL",
        "models",
        "key",
        "streamRate",
        "titles",
        "status",
    ]
    assert "sk-…fXYZ (OPENAI_API_KEY)" in lines[2] and "sk-1234567890" not in text
    assert lines[3].endswith("unavailable: GROQ_API_KEY is not set")
    assert lines[-1] == "0 error(s), 0 warning(s)"
