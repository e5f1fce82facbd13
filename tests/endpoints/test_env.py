"""endpoints.env: LibreChat's .env variables alone yield working endpoints (seed 000)."""

from __future__ import annotations

from pathlib import Path

import pytest

from endpoints.config import ConfigError, load
from endpoints.endpoint import USER_PROVIDED
from endpoints.env import DEFAULT_MODELS
from endpoints.problems import format_path


def env_only(tmp_path: Path, **env: str):
    return load(str(tmp_path / "no-librechat.yaml"), env)


def env_problems(tmp_path: Path, **env: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        env_only(tmp_path, **env)
    return [f"{format_path(p.path)}: {p.message}" for p in caught.value.problems]


def messages(config, level: str = "warning") -> list[str]:
    return [
        f"{format_path(p.path)}: {p.message}"
        for p in config.problems
        if p.level == level and p.path
    ]


def test_no_keys_no_endpoints_and_a_note_that_the_file_is_missing(tmp_path) -> None:
    config = env_only(tmp_path)
    assert dict(config.endpoints) == {}
    assert [str(p) for p in config.problems] == [
        f"warning: {tmp_path}/no-librechat.yaml: file not found: "
        "the endpoints come from the .env variables alone"
    ]


def test_openai_variables(tmp_path) -> None:
    openai = env_only(
        tmp_path,
        OPENAI_API_KEY="sk-1",
        OPENAI_MODELS="gpt-4o, gpt-4o-mini",
        OPENAI_REVERSE_PROXY="https://proxy.example/v1",
        OPENAI_ORGANIZATION="org-1",
        OPENAI_SUMMARY_MODEL="gpt-4o-mini",
        DEBUG_OPENAI="true",
    ).endpoints["openAI"]
    assert (openai.kind, openai.api_key, openai.base_url, openai.organization) == (
        "openai",
        "sk-1",
        "https://proxy.example/v1",
        "org-1",
    )
    assert (openai.models.default, openai.models.fetch) == (("gpt-4o", "gpt-4o-mini"), False)
    assert (openai.summary_model, openai.debug, openai.model_display_label) == (
        "gpt-4o-mini",
        True,
        "OpenAI",
    )


def test_openai_without_a_model_list_fetches_with_a_server_key_only(tmp_path) -> None:
    server = env_only(tmp_path, OPENAI_API_KEY="sk-1").endpoints["openAI"]
    assert (server.models.default, server.models.fetch) == (DEFAULT_MODELS["openAI"], True)
    assert server.key_source == "OPENAI_API_KEY"
    user = env_only(tmp_path, OPENAI_API_KEY="user_provided").endpoints["openAI"]
    assert (user.api_key, user.user_provides_key, user.models.fetch) == (USER_PROVIDED, True, False)
    assert user.key_source == "user"


def test_deprecated_and_unimplemented_openai_variables_warn(tmp_path) -> None:
    config = env_only(
        tmp_path,
        OPENAI_API_KEY="sk-1",
        OPENAI_TITLE_MODEL="gpt-4o-mini",
        OPENAI_SUMMARIZE="true",
        OPENAI_FORCE_PROMPT="true",
    )
    assert config.endpoints["openAI"].title.model == "gpt-4o-mini"
    assert config.endpoints["openAI"].summarize and config.endpoints["openAI"].force_prompt
    assert messages(config) == [
        "OPENAI_SUMMARIZE: accepted but ignored: Parley does not implement it yet",
        "OPENAI_FORCE_PROMPT: accepted but ignored: Parley does not implement it yet",
        "OPENAI_TITLE_MODEL: deprecated: set titleModel under endpoints.openAI in librechat.yaml",
    ]


def test_malformed_boolean_is_an_error_naming_the_variable(tmp_path) -> None:
    assert env_problems(tmp_path, OPENAI_API_KEY="sk", DEBUG_OPENAI="maybe") == [
        "DEBUG_OPENAI: expected true or false"
    ]


def test_anthropic_variables(tmp_path) -> None:
    config = env_only(
        tmp_path,
        ANTHROPIC_API_KEY="user_provided",
        ANTHROPIC_MODELS="claude-sonnet-4-5",
        ANTHROPIC_REVERSE_PROXY="https://gw.example",
        ANTHROPIC_TITLE_MODEL="claude-3-5-haiku-20241022",
    )
    anthropic = config.endpoints["anthropic"]
    assert (anthropic.kind, anthropic.api_key, anthropic.base_url) == (
        "anthropic",
        USER_PROVIDED,
        "https://gw.example",
    )
    assert anthropic.models.default == ("claude-sonnet-4-5",)
    assert anthropic.title.model == "claude-3-5-haiku-20241022"
    assert messages(config)[-1].startswith("ANTHROPIC_TITLE_MODEL: deprecated")


def test_google_variables_and_safety_settings(tmp_path) -> None:
    google = env_only(
        tmp_path,
        GOOGLE_KEY="g-1",
        GOOGLE_MODELS="gemini-2.5-flash",
        GOOGLE_REVERSE_PROXY="https://g.example",
        GOOGLE_LOC="europe-west4",
        GOOGLE_TITLE_MODEL="gemini-2.0-flash-lite",
        GOOGLE_SAFETY_SEXUALLY_EXPLICIT="BLOCK_ONLY_HIGH",
        GOOGLE_SAFETY_HATE_SPEECH="block_all",
        GOOGLE_SAFETY_HARASSMENT="WARN_ONLY",
        GOOGLE_SAFETY_DANGEROUS_CONTENT="OFF",
    ).endpoints["google"]
    assert (google.kind, google.api_key, google.base_url) == ("google", "g-1", "https://g.example")
    assert google.models.default == ("gemini-2.5-flash",)
    assert google.google.location == "europe-west4"
    assert google.title.model == "gemini-2.0-flash-lite"
    assert dict(google.google.safety_settings) == {
        "HARM_CATEGORY_SEXUALLY_EXPLICIT": "BLOCK_ONLY_HIGH",
        "HARM_CATEGORY_HATE_SPEECH": "BLOCK_LOW_AND_ABOVE",
        "HARM_CATEGORY_HARASSMENT": "BLOCK_NONE",
        "HARM_CATEGORY_DANGEROUS_CONTENT": "OFF",
    }


def test_bad_safety_threshold_names_the_variable_and_the_fix(tmp_path) -> None:
    with pytest.raises(ConfigError) as caught:
        env_only(tmp_path, GOOGLE_KEY="g", GOOGLE_SAFETY_HARASSMENT="BLOCK_ONLY_HIHG")
    assert str(caught.value.problems[0]) == (
        "error: environment: GOOGLE_SAFETY_HARASSMENT: 'BLOCK_ONLY_HIHG' is not a safety "
        "threshold: use one of BLOCK_NONE, BLOCK_ONLY_HIGH, BLOCK_MEDIUM_AND_ABOVE, "
        "BLOCK_LOW_AND_ABOVE, OFF, HARM_BLOCK_THRESHOLD_UNSPECIFIED, BLOCK_ALL, WARN_ONLY "
        "(did you mean 'BLOCK_ONLY_HIGH'?)"
    )


def test_bedrock_variables(tmp_path) -> None:
    bedrock = env_only(
        tmp_path,
        BEDROCK_AWS_DEFAULT_REGION="us-east-1",
        BEDROCK_AWS_ACCESS_KEY_ID="AKIA1",
        BEDROCK_AWS_SECRET_ACCESS_KEY="secret",
        BEDROCK_AWS_SESSION_TOKEN="token",
        BEDROCK_AWS_MODELS="anthropic.claude-3-5-sonnet-20240620-v1:0,meta.llama3-1-8b-instruct-v1:0",
    ).endpoints["bedrock"]
    aws = bedrock.bedrock
    assert (bedrock.kind, bedrock.available, aws.region) == ("bedrock", True, "us-east-1")
    assert (aws.access_key_id, aws.secret_access_key, aws.session_token) == (
        "AKIA1",
        "secret",
        "token",
    )
    assert bedrock.models.default == (
        "anthropic.claude-3-5-sonnet-20240620-v1:0",
        "meta.llama3-1-8b-instruct-v1:0",
    )


def test_bedrock_needs_a_region_and_may_be_user_provided(tmp_path) -> None:
    no_region = env_only(tmp_path, BEDROCK_AWS_ACCESS_KEY_ID="AKIA1").endpoints["bedrock"]
    assert no_region.unavailable == "BEDROCK_AWS_DEFAULT_REGION is not set"
    user = env_only(
        tmp_path,
        BEDROCK_AWS_DEFAULT_REGION="eu-west-1",
        BEDROCK_AWS_SECRET_ACCESS_KEY="user_provided",
    ).endpoints["bedrock"]
    assert user.user_provides_key


def test_deprecated_azure_variables(tmp_path) -> None:
    config = env_only(
        tmp_path,
        AZURE_API_KEY="az-1",
        AZURE_OPENAI_API_INSTANCE_NAME="inst",
        AZURE_OPENAI_API_VERSION="2024-10-21",
        AZURE_OPENAI_MODELS="gpt-4o,gpt-4o-mini",
        AZURE_USE_MODEL_AS_DEPLOYMENT_NAME="true",
    )
    azure = config.endpoints["azureOpenAI"]
    assert (azure.kind, azure.available, azure.models.default) == (
        "azure",
        True,
        ("gpt-4o", "gpt-4o-mini"),
    )
    mini = azure.azure["gpt-4o-mini"]
    assert (mini.base_url, mini.deployment_name, mini.version, mini.api_key) == (
        "https://inst.openai.azure.com",
        "gpt-4o-mini",
        "2024-10-21",
        "az-1",
    )
    assert messages(config) == [
        "AZURE_API_KEY: the AZURE_* variables are deprecated: use endpoints.azureOpenAI"
    ]
    partial = env_only(tmp_path, AZURE_API_KEY="az-1").endpoints["azureOpenAI"]
    assert partial.unavailable == (
        "AZURE_OPENAI_API_INSTANCE_NAME, AZURE_OPENAI_MODELS, AZURE_OPENAI_API_VERSION, "
        "AZURE_OPENAI_API_DEPLOYMENT_NAME not set"
    )


def test_assistants_are_parsed_and_reported_unsupported(tmp_path) -> None:
    config = env_only(tmp_path, ASSISTANTS_API_KEY="user_provided")
    assert "assistants" not in config.endpoints
    assert messages(config) == [
        "ASSISTANTS_API_KEY: the Assistants endpoint is not implemented yet"
    ]


def test_endpoints_variable_with_a_typo(tmp_path) -> None:
    with pytest.raises(ConfigError) as caught:
        env_only(tmp_path, OPENAI_API_KEY="sk", ENDPOINTS="openAI,anthropc")
    (problem,) = caught.value.problems
    assert problem.suggestion == "anthropic"
    assert problem.message.startswith("'anthropc' is not an endpoint: use openAI, azureOpenAI")


def test_reverse_proxies_must_be_urls(tmp_path) -> None:
    assert env_problems(tmp_path, OPENAI_API_KEY="sk", OPENAI_REVERSE_PROXY="proxy.local/v1") == [
        "OPENAI_REVERSE_PROXY: expected a http or https URL"
    ]


def test_endpoints_variable_warns_about_unimplemented_ones(tmp_path) -> None:
    config = env_only(tmp_path, OPENAI_API_KEY="sk", ENDPOINTS="openAI,agents")
    assert [e.name for e in config.available()] == ["openAI"]
    assert messages(config) == ["ENDPOINTS: 'agents' is not implemented yet: left out"]


def test_proxy_must_be_a_url(tmp_path) -> None:
    assert env_only(tmp_path, PROXY="socks5://127.0.0.1:1080").proxy == "socks5://127.0.0.1:1080"
    assert env_problems(tmp_path, PROXY="127.0.0.1:8080") == [
        "PROXY: expected a http or https or socks5 URL"
    ]


def test_librechat_env_example_alone_yields_its_endpoints(tmp_path) -> None:
    """LibreChat's own .env.example: OpenAI, Anthropic and Google with user_provided keys."""
    path = Path(__file__).parent / "librechat" / "env.example"
    env = {}
    for line in path.read_text().splitlines():
        name, sep, value = line.partition("=")
        if sep and not line.startswith("#") and name.strip():
            env[name.strip()] = value.strip().strip('"')
    config = env_only(tmp_path, **env)
    assert [e.name for e in config.available()] == ["openAI", "anthropic", "google"]
    assert all(e.user_provides_key for e in config.available())
