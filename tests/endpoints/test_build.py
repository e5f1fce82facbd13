"""endpoints.build: the `all` merge (seed 003), built-in sections + .env, Azure groups,
Bedrock, unresolved variables and ENDPOINTS."""

from __future__ import annotations

import pytest

from endpoints.endpoint import USER_PROVIDED

KEYS = {"OPENAI_API_KEY": "sk-1", "ANTHROPIC_API_KEY": "a-1", "GOOGLE_KEY": "g-1"}
GROQ = {
    "name": "groq",
    "apiKey": "k",
    "baseURL": "https://api.groq.com/openai/v1",
    "models": {"default": ["m"]},
}


def test_seed_003_override_example(load_yaml) -> None:
    config = load_yaml(
        {
            "endpoints": {
                "openAI": {"streamRate": 25, "titleModel": "gpt-4", "titleConvo": False},
                "all": {"titleConvo": True, "titleModel": "gpt-3.5-turbo"},
            }
        },
        KEYS,
    )
    openai = config.endpoints["openAI"]
    assert openai.stream_rate == 25  # not in `all`: kept
    assert (openai.title.enabled, openai.title.model) == (True, "gpt-3.5-turbo")  # overridden


def test_all_values_override_every_endpoint_including_custom_and_env_only(load_yaml) -> None:
    config = load_yaml(
        {
            "endpoints": {
                "anthropic": {"streamRate": 10, "titleTiming": "immediate"},
                "custom": [{**GROQ, "streamRate": 5, "titleMethod": "completion"}],
                "all": {"streamRate": 40, "titleTiming": "final", "titleMethod": "structured"},
            }
        },
        KEYS,
    )
    for name in ("openAI", "anthropic", "google", "groq"):
        endpoint = config.endpoints[name]
        assert (endpoint.stream_rate, endpoint.title.timing, endpoint.title.method) == (
            40,
            "final",
            "structured",
        ), name


def test_all_headers_merge_and_the_endpoint_wins_on_a_clash(load_yaml) -> None:
    config = load_yaml(
        {
            "endpoints": {
                "anthropic": {
                    "headers": {
                        "x-app": "mine",
                        "X-Conversation-Id": "{{LIBRECHAT_BODY_CONVERSATIONID}}",
                    }
                },
                "custom": [GROQ],
                "all": {"headers": {"X-App": "librechat", "X-Shared": "s"}},
            }
        },
        KEYS,
    )
    assert dict(config.endpoints["anthropic"].headers) == {
        "X-Shared": "s",
        "x-app": "mine",
        "X-Conversation-Id": "{{LIBRECHAT_BODY_CONVERSATIONID}}",
    }
    assert dict(config.endpoints["openAI"].headers) == {"X-App": "librechat", "X-Shared": "s"}
    assert dict(config.endpoints["groq"].headers) == {"X-App": "librechat", "X-Shared": "s"}


def test_all_rejects_base_url(yaml_errors) -> None:
    assert yaml_errors({"endpoints": {"all": {"baseURL": "https://proxy.example"}}}) == [
        "endpoints.all.baseURL: is not allowed under endpoints.all: set baseURL on each endpoint"
    ]


def test_keys_absent_from_all_keep_each_endpoints_value(load_yaml) -> None:
    config = load_yaml(
        {"endpoints": {"openAI": {"titlePrompt": "Mine {convo}"}, "all": {"titleConvo": True}}},
        KEYS,
    )
    assert config.endpoints["openAI"].title.prompt == "Mine {convo}"
    assert config.endpoints["openAI"].title.enabled is True


def test_header_variables_resolve_and_an_unset_one_makes_the_endpoint_unavailable(
    load_yaml,
) -> None:
    item = {
        **GROQ,
        "headers": {"x-key": "${PORTKEY_API_KEY}", "x-user": "{{LIBRECHAT_USER_EMAIL}}"},
    }
    resolved = load_yaml({"endpoints": {"custom": [item]}}, {"PORTKEY_API_KEY": "pk"}).endpoints[
        "groq"
    ]
    assert dict(resolved.headers) == {"x-key": "pk", "x-user": "{{LIBRECHAT_USER_EMAIL}}"}
    missing = load_yaml({"endpoints": {"custom": [item]}}).endpoints["groq"]
    assert missing.unavailable == "PORTKEY_API_KEY is not set (headers.x-key)"


def test_unset_base_url_variable(load_yaml) -> None:
    item = {**GROQ, "baseURL": "${OLLAMA_URL}/v1"}
    assert load_yaml({"endpoints": {"custom": [item]}}).endpoints["groq"].unavailable == (
        "OLLAMA_URL is not set"
    )


def test_protected_variable_is_an_error_wherever_it_appears(yaml_errors) -> None:
    item = {**GROQ, "headers": {"x-leak": "${CREDS_KEY}"}}
    assert yaml_errors(
        {"endpoints": {"custom": [item]}, "speech": {"tts": {"k": "${JWT_SECRET}"}}}
    ) == [
        "endpoints.custom[0].headers.x-leak: ${CREDS_KEY} is one of Parley's own secrets"
        " and is never expanded",
        "speech.tts.k: ${JWT_SECRET} is one of Parley's own secrets and is never expanded",
    ]


def test_yaml_section_without_its_env_key_is_listed_unavailable(load_yaml) -> None:
    config = load_yaml({"endpoints": {"openAI": {"streamRate": 5}, "bedrock": {}}})
    assert config.endpoints["openAI"].unavailable == "OPENAI_API_KEY is not set"
    assert config.endpoints["bedrock"].unavailable == "BEDROCK_AWS_DEFAULT_REGION is not set"
    assert config.available() == ()


def test_yaml_base_url_wins_over_the_reverse_proxy(load_yaml) -> None:
    env = {
        **KEYS,
        "OPENAI_REVERSE_PROXY": "https://env.example/v1",
        "GATEWAY": "https://gw.example",
    }
    config = load_yaml({"endpoints": {"openAI": {"baseURL": "${GATEWAY}/v1"}}}, env)
    assert config.endpoints["openAI"].base_url == "https://gw.example/v1"
    assert load_yaml({}, env).endpoints["openAI"].base_url == "https://env.example/v1"


def test_duplicate_custom_names_are_one_error_each(yaml_errors) -> None:
    assert yaml_errors({"endpoints": {"custom": [GROQ, GROQ]}}) == [
        "endpoints.custom[1].name: duplicate custom endpoint name 'groq' (also endpoints.custom[0])"
    ]


AZURE = {
    "titleModel": "gpt-4o-mini",
    "groups": [
        {
            "group": "east",
            "apiKey": "${AZURE_EAST_KEY}",
            "instanceName": "east-instance",
            "version": "2024-10-21",
            "additionalHeaders": {"X-Region": "east"},
            "models": {
                "gpt-4o": {"deploymentName": "gpt4o-prod"},
                "gpt-4o-mini": True,
            },
            "deploymentName": "default-deploy",
        },
        {
            "group": "serverless",
            "apiKey": "user_provided",
            "baseURL": "https://llama.region.inference.ai.azure.com/v1",
            "serverless": True,
            "models": {"llama-3": True},
        },
    ],
}


def test_azure_groups_map_each_model_to_its_deployment(load_yaml) -> None:
    azure = load_yaml({"endpoints": {"azureOpenAI": AZURE}}, {"AZURE_EAST_KEY": "ek"}).endpoints[
        "azureOpenAI"
    ]
    assert (azure.kind, azure.models.default, azure.title.model) == (
        "azure",
        ("gpt-4o", "gpt-4o-mini", "llama-3"),
        "gpt-4o-mini",
    )
    gpt = azure.azure["gpt-4o"]
    assert (gpt.api_key, gpt.base_url, gpt.deployment_name, gpt.version) == (
        "ek",
        "https://east-instance.openai.azure.com",
        "gpt4o-prod",
        "2024-10-21",
    )
    assert azure.azure["gpt-4o-mini"].deployment_name == "default-deploy"
    assert dict(gpt.headers) == {"X-Region": "east"}
    llama = azure.azure["llama-3"]
    assert (llama.serverless, llama.api_key, llama.deployment_name) == (True, USER_PROVIDED, None)
    assert azure.user_provides_key


def test_azure_group_with_an_unset_key_is_left_out_with_a_warning(load_yaml) -> None:
    config = load_yaml({"endpoints": {"azureOpenAI": AZURE}})
    assert tuple(config.endpoints["azureOpenAI"].azure) == ("llama-3",)
    assert any("left out: AZURE_EAST_KEY is not set" in str(p) for p in config.problems)


@pytest.mark.parametrize(
    ("group", "message"),
    [
        ({"instanceName": None}, "instanceName is required unless serverless: true"),
        ({"version": None}, "model 'gpt-4o' needs a version (on it or on the group)"),
        (
            {"deploymentName": None},
            "model 'gpt-4o-mini' needs a deploymentName (on it or on the group)",
        ),
    ],
)
def test_azure_group_errors(yaml_errors, group, message) -> None:
    first = {k: v for k, v in {**AZURE["groups"][0], **group}.items() if v is not None}
    errors = yaml_errors({"endpoints": {"azureOpenAI": {"groups": [first]}}})
    assert errors == [f"endpoints.azureOpenAI.groups[0]: {message}"]


def test_azure_model_in_two_groups(yaml_errors) -> None:
    first = AZURE["groups"][0]
    second = {**first, "group": "west"}
    errors = yaml_errors({"endpoints": {"azureOpenAI": {"groups": [first, second]}}})
    assert (
        errors[0]
        == "endpoints.azureOpenAI.groups[1].models.gpt-4o: model 'gpt-4o' is already in group"
        " 'east'"
    )


def test_bedrock_yaml_models_profiles_and_guardrail(load_yaml) -> None:
    section = {
        "models": ["anthropic.claude-3-7-sonnet-20250219-v1:0"],
        "inferenceProfiles": {"anthropic.claude-3-7-sonnet-20250219-v1:0": "${PROFILE_ARN}"},
        "guardrailConfig": {"guardrailIdentifier": "g", "guardrailVersion": "1"},
        "availableRegions": ["us-east-1", "us-west-2"],
    }
    env = {"BEDROCK_AWS_DEFAULT_REGION": "us-east-1", "PROFILE_ARN": "arn:aws:x"}
    bedrock = load_yaml({"endpoints": {"bedrock": section}}, env).endpoints["bedrock"]
    assert bedrock.models.default == ("anthropic.claude-3-7-sonnet-20250219-v1:0",)
    assert bedrock.bedrock.region == "us-east-1"
    assert bedrock.bedrock.available_regions == ("us-east-1", "us-west-2")
    assert dict(bedrock.bedrock.guardrail) == {"guardrailIdentifier": "g", "guardrailVersion": "1"}
    assert dict(bedrock.bedrock.inference_profiles) == {
        "anthropic.claude-3-7-sonnet-20250219-v1:0": "arn:aws:x"
    }
    del env["PROFILE_ARN"]
    unset = load_yaml({"endpoints": {"bedrock": section}}, env).endpoints["bedrock"]
    assert unset.unavailable == (
        "PROFILE_ARN is not set (inferenceProfiles.anthropic.claude-3-7-sonnet-20250219-v1:0)"
    )


def test_endpoints_variable_orders_and_disables(load_yaml) -> None:
    env = {**KEYS, "ENDPOINTS": "custom,anthropic,openAI"}
    config = load_yaml({"endpoints": {"custom": [GROQ]}}, env)
    assert [e.name for e in config.available()] == ["groq", "anthropic", "openAI"]
    assert (
        config.endpoints["google"].unavailable
        == "not listed in ENDPOINTS (add 'google' to enable it)"
    )


def test_default_order_is_builtins_then_custom(load_yaml) -> None:
    config = load_yaml({"endpoints": {"custom": [GROQ]}}, KEYS)
    assert list(config.endpoints) == ["openAI", "anthropic", "google", "groq"]


def test_proxy_and_title_convo_apply_to_every_endpoint(load_yaml) -> None:
    env = {**KEYS, "PROXY": "http://proxy.local:3128", "TITLE_CONVO": "true"}
    config = load_yaml({"endpoints": {"custom": [GROQ], "google": {"titleConvo": False}}}, env)
    assert {e.proxy for e in config.endpoints.values()} == {"http://proxy.local:3128"}
    assert config.endpoints["openAI"].title.enabled is True  # TITLE_CONVO for an unset titleConvo
    assert config.endpoints["google"].title.enabled is False  # an explicit value wins
    off = load_yaml(
        {"endpoints": {"custom": [{**GROQ, "titleConvo": True}]}}, {"TITLE_CONVO": "false"}
    )
    assert off.endpoints["groq"].title.enabled is False  # false turns titles off everywhere


def test_a_resolved_base_url_that_is_not_http_makes_the_endpoint_unavailable(load_yaml) -> None:
    item = {**GROQ, "baseURL": "${OLLAMA_HOST}/v1"}
    config = load_yaml({"endpoints": {"custom": [item]}}, {"OLLAMA_HOST": "localhost:11434"})
    assert config.endpoints["groq"].unavailable == (
        "baseURL 'localhost:11434/v1' is not an http(s) URL"
    )


def test_literal_builtin_and_azure_base_urls_are_checked(yaml_errors) -> None:
    group = {**AZURE["groups"][1], "baseURL": "llama.example"}
    config = {"endpoints": {"openAI": {"baseURL": "proxy"}, "azureOpenAI": {"groups": [group]}}}
    assert yaml_errors(config) == [
        "endpoints.openAI.baseURL: 'proxy' is not an http(s) URL",
        "endpoints.azureOpenAI.groups[0].baseURL: 'llama.example' is not an http(s) URL",
    ]
