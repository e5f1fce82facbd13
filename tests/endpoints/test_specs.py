"""endpoints.specs and modelSpecs' checks: bad specs are config errors naming key and line;
good ones resolve to the menu's order, the default, and a turn's endpoint, model and
parameters (through the same allow-list as a user's)."""

from __future__ import annotations

import pytest
import yaml

from endpoints import specs

GROQ = {
    "name": "groq",
    "apiKey": "k",
    "baseURL": "https://h.example/v1",
    "models": {"default": ["llama", "mixtral"]},
}


def spec(name: str, **fields) -> dict:
    return {"name": name, "preset": {"endpoint": "groq", "model": "llama"}, **fields}


def config_with(*items, **options) -> dict:
    return {"endpoints": {"custom": [GROQ]}, "modelSpecs": {**options, "list": list(items)}}


def test_a_spec_naming_an_unknown_endpoint_or_model_is_an_error(yaml_errors) -> None:
    bad_endpoint = spec("a", preset={"endpoint": "grok", "model": "llama"})
    bad_model = spec("b", preset={"endpoint": "groq", "model": "llama-9"})
    assert yaml_errors(config_with(bad_endpoint, bad_model)) == [
        "modelSpecs.list[0].preset.endpoint: 'grok' is not a configured endpoint"
        " (did you mean 'groq'?)",
        "modelSpecs.list[1].preset.model: 'llama-9' is not one of endpoint 'groq''s models"
        " (did you mean 'llama'?)",
    ]


def test_duplicate_names_and_two_defaults_are_errors(yaml_errors) -> None:
    items = [spec("a", default=True), spec("a"), spec("c", default=True)]
    assert yaml_errors(config_with(*items)) == [
        "modelSpecs.list[1].name: duplicate model spec name 'a' (also modelSpecs.list[0])",
        "modelSpecs.list[2].default: a second default spec ('a' is the default already)",
    ]


def test_a_spec_needs_its_endpoint_and_added_endpoints_must_exist(yaml_errors) -> None:
    config = config_with({"name": "a", "preset": {"model": "llama"}}, addedEndpoints=["grok"])
    assert yaml_errors(config) == [
        "modelSpecs.list[0].preset: must name its endpoint (preset.endpoint)",
    ]
    assert yaml_errors(config_with(spec("a"), addedEndpoints=["grok"])) == [
        "modelSpecs.addedEndpoints[0]: 'grok' is not a configured endpoint (did you mean 'groq'?)",
    ]


def test_errors_carry_the_yaml_line(load_yaml) -> None:
    text = yaml.safe_dump({"version": "1.3.14", **config_with(spec("a"), spec("a"))})
    from endpoints.config import ConfigError

    with pytest.raises(ConfigError) as caught:
        load_yaml(text)
    (problem,) = caught.value.problems
    wanted = next(i for i, line in enumerate(text.splitlines(), 1) if "name: a" in line)
    assert problem.line is not None and problem.line > wanted
    assert "modelSpecs.list[1].name" in str(problem)


def test_model_specs_no_longer_warn_except_their_later_keys(warnings_of) -> None:
    assert warnings_of(config_with(spec("a", label="A", group="g", order=2))) == []
    assert warnings_of(config_with(spec("a", fileSearch=True))) == [
        "modelSpecs.list[0].fileSearch: accepted but ignored: Parley does not implement"
        " file search yet",
    ]
    assert warnings_of(config_with(spec("a", webSearch=True))) == []  # the globe starts on
    assert warnings_of(config_with(spec("a", mcpServers=[]))) == []  # a new chat's servers


def test_specs_resolve_in_menu_order_with_the_default(load_yaml) -> None:
    items = [
        spec("late", order=5, label="Late", description="d", iconURL="/i.svg", group="g"),
        spec("early", order=1, default=True, groupIcon="/g.svg", group="g"),
        spec("hidden", showInMenu=False),
        spec("plain"),
    ]
    resolved = specs.from_config(load_yaml(config_with(*items, enforce=True)))
    assert resolved.enforce and resolved.prioritize
    assert [s.name for s in resolved.menu()] == ["early", "late", "plain"]
    assert resolved.default().name == "early"
    late = resolved.get("late")
    assert (late.label, late.description, late.icon_url, late.group) == ("Late", "d", "/i.svg", "g")
    assert resolved.get("plain").label == "plain"
    assert resolved.group_icons() == {"g": "/g.svg"}
    assert resolved.get("nope") is None


def test_without_a_default_no_spec_is_chosen(load_yaml) -> None:
    assert specs.from_config(load_yaml(config_with(spec("a")))).default() is None
    assert specs.from_config(load_yaml({})).items == ()


def test_a_specs_preset_splits_into_endpoint_model_prompt_and_parameters(load_yaml) -> None:
    preset = {
        "endpoint": "groq",
        "model": "mixtral",
        "promptPrefix": "Be brief.",
        "modelLabel": "Brief",
        "temperature": 0.2,
        "messages": [{"role": "system", "content": "smuggled"}],
        "stream": False,
    }
    config = load_yaml(config_with(spec("brief", preset=preset)))
    brief = specs.from_config(config).get("brief")
    assert (brief.endpoint, brief.model, brief.prompt_prefix) == ("groq", "mixtral", "Be brief.")
    assert brief.model_label == "Brief"
    # the same allow-list as a user's parameters: only what the panel offers passes
    assert specs.parameters(brief, config.get("groq")) == {"temperature": 0.2}


def test_a_specs_bad_parameter_is_refused_as_a_users_would_be(load_yaml) -> None:
    from endpoints import userparams

    preset = {"endpoint": "groq", "model": "llama", "temperature": "hot"}
    config = load_yaml(config_with(spec("hot", preset=preset)))
    with pytest.raises(userparams.BadParameter):
        specs.parameters(specs.from_config(config).get("hot"), config.get("groq"))


def test_a_spec_names_its_mcp_servers(load_yaml) -> None:
    data = config_with(spec("a", mcpServers=["files", "tickets"]))
    data["mcpServers"] = {"files": {"command": "x"}, "tickets": {"command": "y"}}
    resolved = specs.from_config(load_yaml(data))
    assert resolved.get("a").mcp_servers == ("files", "tickets")


def test_a_spec_naming_an_unknown_or_hidden_mcp_server_is_reported(
    yaml_errors, warnings_of
) -> None:
    servers = {"files": {"command": "x"}, "hidden": {"command": "y", "chatMenu": False}}
    unknown = {**config_with(spec("a", mcpServers=["file"])), "mcpServers": servers}
    assert yaml_errors(unknown) == [
        "modelSpecs.list[0].mcpServers[0]: 'file' is not one of mcpServers (did you mean 'files'?)"
    ]
    hidden = {**config_with(spec("a", mcpServers=["hidden"])), "mcpServers": servers}
    assert warnings_of(hidden) == [
        "modelSpecs.list[0].mcpServers[0]: 'hidden' has chatMenu: false, so a chat cannot choose it"
    ]
