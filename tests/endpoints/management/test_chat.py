"""`manage.py chat` as a subprocess, against the mock provider, for every adapter kind.

The endpoints come from a real librechat.yaml and LibreChat .env variables, so
this also checks the path config → registry → adapter → SDK → HTTP.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
CONFIG = """
version: 1.3.14
endpoints:
  azureOpenAI:
    groups:
      - group: eu
        apiKey: az-key
        instanceName: {url}
        version: "2024-10-21"
        models:
          gpt-4o:
            deploymentName: gpt4o-eu
  custom:
    - name: Mocky
      apiKey: sk-custom
      baseURL: {url}/v1
      models:
        default: [mock-small]
      headers:
        X-Trace: "{{{{LIBRECHAT_BODY_CONVERSATIONID}}}}"
      tokenConfig:
        mock-small: {{prompt: 1, completion: 2, context: 8000}}
"""


@pytest.fixture
def environment(mock_provider, tmp_path):
    config = tmp_path / "librechat.yaml"
    config.write_text(CONFIG.format(url=mock_provider.url))
    url = mock_provider.url
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PARLEY_DATA_DIR": str(tmp_path / "data"),
        "CONFIG_PATH": str(config),
        "OPENAI_API_KEY": "sk-openai",
        "OPENAI_REVERSE_PROXY": f"{url}/v1",
        "ANTHROPIC_API_KEY": "ak",
        "ANTHROPIC_REVERSE_PROXY": url,
        "GOOGLE_KEY": "gk",
        "GOOGLE_REVERSE_PROXY": url,
        "BEDROCK_AWS_DEFAULT_REGION": "us-east-1",
        "BEDROCK_AWS_ACCESS_KEY_ID": "AKIACHAT",
        "BEDROCK_AWS_SECRET_ACCESS_KEY": "secret",
        "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": url,
    }


def chat(environment, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "chat", *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("endpoint", "model"),
    [
        ("openAI", "gpt-4o-mini"),
        ("azureOpenAI", "gpt-4o"),
        ("anthropic", "claude-sonnet-4"),
        ("google", "gemini-2.5-flash"),
        ("bedrock", "anthropic.claude-3-haiku-20240307-v1:0"),
        ("Mocky", "mock-small"),
    ],
)
def test_streams_the_reply_and_reports_usage_and_cost(environment, mock_provider, endpoint, model):
    result = chat(
        environment, "--endpoint", endpoint, "--model", model, "--system", "Be terse.",
        "--param", "temperature=0.3", "echo: Hello **world** ✓",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Hello **world** ✓\n"
    assert "[stop] prompt " in result.stderr
    assert "cost $" in result.stderr
    assert len(mock_provider.requests) == 1


def test_failure_exits_non_zero_with_the_user_message(environment, mock_provider):
    mock_provider.fail("401")
    result = chat(environment, "--endpoint", "Mocky", "--model", "mock-small", "hi")
    assert result.returncode == 1
    assert "Authentication failed for endpoint Mocky." in result.stderr
    assert "sk-custom" not in result.stderr + result.stdout


def test_unknown_endpoint(environment):
    result = chat(environment, "--endpoint", "nope", "--model", "m", "hi")
    assert result.returncode == 1
    assert "There is no endpoint named nope." in result.stderr
