"""Parley's fail-over extension of a custom endpoint: `apiKey` as a list and `channels`
(endpoints.schema, endpoints.checks, endpoints.build)."""

from __future__ import annotations

import pytest

from endpoints.config import ConfigError
from endpoints.endpoint import Channel

URL = "https://h.example/v1"


def test_one_key_and_one_url_make_no_channels(custom) -> None:
    endpoint = custom()
    assert endpoint.channels == ()
    assert (endpoint.api_key, endpoint.base_url) == ("k", URL)


def test_a_list_of_keys_is_one_channel_per_key_on_the_base_url(custom) -> None:
    endpoint = custom(env={"K2": "sk-two"}, apiKey=["sk-one", "${K2}"])
    assert endpoint.channels == (
        Channel("key 1", "sk-one", URL, key_source="librechat.yaml"),
        Channel("key 2", "sk-two", URL, key_source="K2"),
    )
    assert (endpoint.api_key, endpoint.base_url, endpoint.available) == ("sk-one", URL, True)


def test_channels_add_keys_and_urls_taking_what_they_leave_out_from_the_endpoint(custom) -> None:
    endpoint = custom(
        channels=[
            {"baseURL": "https://backup.example/v1", "priority": -1},
            {"name": "eu", "apiKey": "sk-eu", "weight": 3},
        ]
    )
    assert endpoint.channels == (
        Channel("key 1", "k", URL, key_source="librechat.yaml"),
        Channel(
            "key 2", "k", "https://backup.example/v1", priority=-1, key_source="librechat.yaml"
        ),
        Channel("eu", "sk-eu", URL, weight=3, key_source="librechat.yaml"),
    )


def test_a_channel_whose_variable_is_unset_is_left_out_with_a_warning(custom, load_yaml) -> None:
    item = {"name": "x", "apiKey": ["${A}", "${B}"], "baseURL": URL, "models": {"default": ["m"]}}
    config = load_yaml({"endpoints": {"custom": [item]}}, {"B": "sk-b"})
    endpoint = config.endpoints["x"]
    assert [c.api_key for c in endpoint.channels] == ["sk-b"]
    assert endpoint.api_key == "sk-b" and endpoint.available
    (warning,) = [p for p in config.problems if p.level == "warning"]
    assert str(warning).endswith("endpoints.custom[0].apiKey[0]: left out: A is not set")


def test_an_endpoint_none_of_whose_channels_resolves_is_unavailable(custom) -> None:
    endpoint = custom(apiKey=["${A}", "${B}"])
    assert endpoint.unavailable == "key 1: A is not set; key 2: B is not set"


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"apiKey": ["sk-1", "user_provided"]},
            "endpoints.custom[0].apiKey[1]: fail-over needs the operator's own keys:"
            " list them, or keep one user_provided key",
        ),
        (
            {"apiKey": "user_provided", "channels": [{"baseURL": "https://b.example/v1"}]},
            "endpoints.custom[0].apiKey: fail-over needs the operator's own keys:"
            " list them, or keep one user_provided key",
        ),
        (
            {"apiKey": ["sk-1", "sk-2"], "channels": [{"baseURL": "https://b.example/v1"}]},
            "endpoints.custom[0].channels[0]: needs its own apiKey: the endpoint's apiKey is"
            " a list (which one?)",
        ),
        (
            {"apiKey": ["sk-1", "sk-1"]},
            "endpoints.custom[0].apiKey[1]: the same key as apiKey[0]: list each key once",
        ),
        (
            {"channels": [{"apiKey": "k"}]},
            "endpoints.custom[0].channels[0]: the same apiKey and baseURL as apiKey[0]:"
            " give it another of either",
        ),
        (
            {"channels": [{"apiKey": "k2", "baseURL": "ftp://b.example"}]},
            "endpoints.custom[0].channels[0].baseURL: 'ftp://b.example' is not an http(s) URL",
        ),
        (
            {"channels": [{"apiKey": "k2", "weight": 0}]},
            "endpoints.custom[0].channels[0].weight: 0 must be greater than or equal to 1",
        ),
        ({"apiKey": []}, "endpoints.custom[0].apiKey: must list at least one key"),
        ({"channels": [{"apiKey": "k2", "priorty": 1}]}, "priorty: unknown key"),
    ],
)
def test_the_extension_is_validated_naming_the_key_and_the_fix(
    custom_errors, fields, expected
) -> None:
    errors = custom_errors(**fields)
    assert any(expected in error for error in errors), errors


def test_errors_in_the_extension_carry_their_yaml_line(load_yaml) -> None:
    text = (
        "version: 1.3.14\n"
        "endpoints:\n"
        "  custom:\n"
        "    - name: x\n"
        "      apiKey:\n"
        "        - sk-1\n"
        "        - user_provided\n"
        f"      baseURL: {URL}\n"
        "      models: {default: [m]}\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_yaml(text)
    (problem,) = caught.value.problems
    assert problem.line == 7
    assert "endpoints.custom[0].apiKey[1]" in str(problem)


def test_a_builtin_endpoint_adds_channels_to_its_env_key(load_yaml) -> None:
    section = {"channels": [{"apiKey": "${BACKUP}", "priority": -1}, {"baseURL": URL}]}
    env = {"OPENAI_API_KEY": "sk-env", "BACKUP": "sk-backup"}
    endpoint = load_yaml({"endpoints": {"openAI": section}}, env).endpoints["openAI"]
    assert endpoint.channels == (
        Channel("key 1", "sk-env", None, key_source="OPENAI_API_KEY"),
        Channel("key 2", "sk-backup", None, priority=-1, key_source="BACKUP"),
        Channel("key 3", "sk-env", URL, key_source="OPENAI_API_KEY"),
    )
    assert endpoint.available and endpoint.api_key == "sk-env"


def test_a_builtin_endpoint_without_its_env_key_runs_on_its_channels(load_yaml) -> None:
    section = {"channels": [{"name": "a", "apiKey": "sk-a"}, {"name": "b", "apiKey": "sk-b"}]}
    config = load_yaml({"endpoints": {"anthropic": section}}, {})
    endpoint = config.endpoints["anthropic"]
    assert [c.name for c in endpoint.channels] == ["a", "b"]
    assert endpoint.available and endpoint.api_key == "sk-a"
    warnings = [str(p) for p in config.problems if p.level == "warning"]
    assert any(
        "endpoints.anthropic.channels: key 1 left out: ANTHROPIC_API_KEY" in w for w in warnings
    )


def test_builtin_channels_are_validated(yaml_errors) -> None:
    env = {"OPENAI_API_KEY": "user_provided"}
    errors = yaml_errors({"endpoints": {"openAI": {"channels": [{"apiKey": "sk-b"}]}}}, env)
    assert errors == [
        "endpoints.openAI.channels: fail-over needs the operator's own keys:"
        " OPENAI_API_KEY is user_provided"
    ]
    section = {"channels": [{"apiKey": "k", "wieght": 2}]}
    errors = yaml_errors({"endpoints": {"google": section}}, {"GOOGLE_KEY": "g"})
    assert errors == ["endpoints.google.channels[0].wieght: unknown key"]
    section = {"channels": [{"apiKey": "user_provided"}, {"apiKey": "k"}, {"apiKey": "k"}]}
    errors = yaml_errors({"endpoints": {"google": section}}, {"GOOGLE_KEY": "g"})
    assert errors == [
        "endpoints.google.channels[0]: fail-over needs the operator's own keys:"
        " set apiKey to a key or ${VAR}",
        "endpoints.google.channels[2]: the same apiKey and baseURL as channels[1]: change either",
    ]


def test_an_azure_groups_channels_need_its_own_keys(load_yaml, yaml_errors) -> None:
    group = {
        "group": "east",
        "apiKey": "az-1",
        "instanceName": "east",
        "version": "2024-10-21",
        "models": {"gpt-4o": {"deploymentName": "gpt-4o"}},
        "channels": [
            {"name": "b", "apiKey": "${UNSET}"},
            {"name": "c", "apiKey": "az-3", "baseURL": URL, "weight": 2},
        ],
    }
    config = load_yaml({"endpoints": {"azureOpenAI": {"groups": [group]}}}, {})
    assert config.endpoints["azureOpenAI"].channels == (
        Channel(
            "east key 1", "az-1", "https://east.openai.azure.com", 1, 0, "librechat.yaml", "east"
        ),
        Channel("east c", "az-3", URL.rstrip("/"), 2, 0, "librechat.yaml", "east"),
    )  # b's variable is unset: left out
    assert any("left out" in p.message for p in config.problems)
    mine = {**group, "apiKey": "user_provided"}
    errors = yaml_errors({"endpoints": {"azureOpenAI": {"groups": [mine]}}})
    assert any("groups[0].apiKey: fail-over needs the operator's own keys" in e for e in errors)


def test_bedrock_channels_are_the_operators_credentials_each_once(yaml_errors) -> None:
    one = {"accessKeyId": "AKIA1", "secretAccessKey": "s"}
    section = {"channels": [one, one, {"accessKeyId": "x", "secretAccessKey": "user_provided"}]}
    errors = yaml_errors({"endpoints": {"bedrock": section}})
    assert any("channels[1].accessKeyId: the same accessKeyId as channels[0]" in e for e in errors)
    assert any("channels[2]: fail-over needs the operator's own keys" in e for e in errors)
