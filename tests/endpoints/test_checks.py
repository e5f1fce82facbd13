"""endpoints.checks: unknown keys, unimplemented keys, the version, all errors at once."""

from __future__ import annotations

import pytest

GROQ = {
    "name": "groq",
    "apiKey": "k",
    "baseURL": "https://h.example/v1",
    "models": {"default": ["m"]},
}


def test_unknown_top_level_key_is_an_error_with_a_suggestion(yaml_errors) -> None:
    assert yaml_errors({"interfaces": {"presets": True}}) == [
        "interfaces: unknown key (did you mean 'interface'?)"
    ]


def test_unknown_key_directly_under_endpoints_is_an_error(yaml_errors) -> None:
    assert yaml_errors({"endpoints": {"Custom": [GROQ], "ollama": {}}}) == [
        "endpoints.Custom: unknown key (did you mean 'custom'?)",
        "endpoints.ollama: unknown key",
    ]


def test_unknown_key_deeper_is_a_warning_with_a_suggestion(warnings_of) -> None:
    item = {**GROQ, "titleModle": "m", "models": {"default": ["m"], "fetsh": True}}
    config = {"endpoints": {"custom": [item]}, "balance": {"startBalanse": 5}}
    assert warnings_of(config) == [
        "endpoints.custom[0].models.fetsh: unknown key: LibreChat ignores it, so does Parley"
        " (did you mean 'fetch'?)",
        "endpoints.custom[0].titleModle: unknown key: LibreChat ignores it, so does Parley"
        " (did you mean 'titleModel'?)",
        "balance.startBalanse: unknown key: LibreChat ignores it, so does Parley"
        " (did you mean 'startBalance'?)",
    ]


def test_known_unimplemented_keys_warn_naming_the_feature(warnings_of) -> None:
    config = {
        "webSearch": {"serperApiKey": "${SERPER_API_KEY}"},
        "interface": {"presets": True, "agents": {"use": True}, "presetz": True},
        "endpoints": {"agents": {"recursionLimit": 5, "disableBuilder": True}},
    }
    assert warnings_of(config) == [
        "interface.agents: accepted but ignored: Parley does not implement this interface"
        " setting yet",
        "interface.presetz: unknown key: LibreChat ignores it, so does Parley"
        " (did you mean 'presets'?)",
        "endpoints.agents.disableBuilder: accepted but ignored: Parley does not implement"
        " agents yet",
    ]


def test_shared_links_are_implemented_except_per_person_sharing_and_files(warnings_of) -> None:
    assert warnings_of({"interface": {"sharedLinks": True}}) == []
    config = {"interface": {"sharedLinks": {"create": False, "public": True, "share": True}}}
    assert warnings_of(config) == [
        "interface.sharedLinks.share: accepted but ignored: Parley does not implement sharing"
        " a link with chosen users and groups yet",
    ]


def test_bookmarks_and_temporary_chats_are_implemented(warnings_of) -> None:
    interface = {"bookmarks": True, "temporaryChat": True, "temporaryChatRetention": 24}
    assert warnings_of({"interface": interface}) == []


def test_prompts_are_implemented(warnings_of, yaml_errors) -> None:
    assert warnings_of({"interface": {"prompts": True}}) == []
    assert warnings_of({"interface": {"prompts": {"use": True, "share": False}}}) == []
    assert yaml_errors({"interface": {"prompts": {"use": "maybe"}}}) == [
        "interface.prompts.use: 'maybe' must be a valid boolean",
    ]


def test_shared_links_are_validated(yaml_errors) -> None:
    assert yaml_errors({"interface": {"sharedLinks": {"public": "no"}}}) == [
        "interface.sharedLinks.public: 'no' must be a valid boolean",
    ]


def test_registration_is_implemented(warnings_of) -> None:
    config = {"registration": {"allowedDomains": ["example.com"], "socialLogins": ["github"]}}
    assert warnings_of(config) == []


def test_implemented_sections_are_validated(yaml_errors) -> None:
    config = {
        "balance": {"enabled": "yes", "refillIntervalUnit": "day"},
        "interface": {"temporaryChatRetention": 0},
        "registration": {"socialLogins": "github"},
    }
    assert yaml_errors(config) == [
        "balance.enabled: 'yes' must be a valid boolean",
        "balance.refillIntervalUnit: 'day' must be 'seconds', 'minutes', 'hours', 'days', "
        "'weeks' or 'months' (did you mean 'days'?)",
        "interface.temporaryChatRetention: 0 must be greater than or equal to 1",
        "registration.socialLogins: 'github' must be a list",
    ]


def test_version_is_required(yaml_errors) -> None:
    assert yaml_errors("cache: true\n") == ["version: is required"]


@pytest.mark.parametrize(
    ("version", "note"),
    [
        ("1.2.1", "config version 1.2.1 is older than 1.3.14, which Parley follows"),
        ("1.3.17", "config version 1.3.17 is newer than 1.3.14, which Parley follows"),
    ],
)
def test_other_versions_are_informational(load_yaml, version, note) -> None:
    config = load_yaml(f"version: {version}\n")
    assert [(p.level, p.message) for p in config.problems] == [
        ("info", f"{note}; it loads as long as its keys are valid")
    ]


def test_a_number_version_is_read_as_text_and_nonsense_is_an_error(load_yaml, yaml_errors) -> None:
    assert load_yaml("version: 1.3\n").file.version == "1.3"
    assert yaml_errors("version: latest\n") == [
        "version: 'latest' is not a version number like 1.3.14"
    ]


def test_empty_file_and_non_mapping(yaml_errors) -> None:
    assert yaml_errors("") == [": the file must be a mapping of keys, starting with version:"]
    assert yaml_errors("- a\n- b\n") == [
        ": the file must be a mapping of keys, starting with version:"
    ]


def test_every_error_is_listed_at_once_in_file_order(tmp_path, yaml_errors) -> None:
    text = """version: 1.3.14
endpoints:
  all:
    baseURL: https://x.example
  custom:
    - name: groq
      apiKey: k
      baseURL: https://h.example/v1
      models: {default: [m]}
      titlePrompt: no placeholder
    - name: groq
      apiKey: k
      baseURL: https://h.example/v1
      models: {default: [m]}
      streamRate: -1
  opneAI: {}
"""
    assert yaml_errors(text) == [
        "endpoints.all.baseURL: is not allowed under endpoints.all: set baseURL on each endpoint",
        "endpoints.custom[0].titlePrompt: must contain the {convo} placeholder",
        "endpoints.custom[1].name: duplicate custom endpoint name 'groq'"
        " (also endpoints.custom[0])",
        "endpoints.custom[1].streamRate: -1 must be greater than or equal to 0",
        "endpoints.opneAI: unknown key (did you mean 'openAI'?)",
    ]


def test_wrong_shapes_are_named_plainly(yaml_errors) -> None:
    text = """version: 1.3.14
endpoints:
  custom: [null, groq]
  openAI: {titleConvo: "yes"}
  all: []
"""
    assert yaml_errors(text) == [
        "endpoints.custom[0]: null must be a mapping",
        "endpoints.custom[1]: 'groq' must be a mapping",
        "endpoints.openAI.titleConvo: 'yes' must be a valid boolean",
        "endpoints.all: must be a mapping",
    ]


def test_a_model_entry_error_names_the_deepest_key(yaml_errors) -> None:
    item = {**GROQ, "models": {"default": ["a", {"name": 2}]}}
    assert yaml_errors({"endpoints": {"custom": [item]}}) == [
        "endpoints.custom[0].models.default[1].name: 2 must be a valid string"
    ]


def test_allowed_addresses_are_host_port_pairs_in_private_space(yaml_errors, load_yaml) -> None:
    entries = ["127.0.0.1:11434", "localhost", "http://10.0.0.5:80", "10.0.0.0/8", "8.8.8.8:53"]
    shape = "must be host:port, private.ip:port or [ipv6]:port (no scheme, path or CIDR range)"
    assert yaml_errors({"endpoints": {"allowedAddresses": entries, "custom": [GROQ]}}) == [
        f"endpoints.allowedAddresses[1]: 'localhost' {shape}",
        f"endpoints.allowedAddresses[2]: 'http://10.0.0.5:80' {shape}",
        f"endpoints.allowedAddresses[3]: '10.0.0.0/8' {shape}",
        "endpoints.allowedAddresses[4]: '8.8.8.8:53' is a public IP address: public addresses"
        " are never refused, nothing to allow",
    ]
    config = load_yaml({"endpoints": {"allowedAddresses": ["Ollama:11434"], "custom": [GROQ]}})
    assert config.get("groq").allowed_addresses == frozenset({"ollama:11434"})
    assert not [p for p in config.problems if "allowedAddresses" in str(p.path)]


def test_turnstile_is_implemented_and_validated(warnings_of, yaml_errors) -> None:
    widget = {"siteKey": "0x4AAA", "options": {"language": "auto", "size": "flexible"}}
    assert warnings_of({"turnstile": widget}) == []
    assert yaml_errors({"turnstile": {"options": {"size": "huge"}}}) == [
        "turnstile.siteKey: is required",
        "turnstile.options.size: 'huge' must be 'normal', 'compact', 'flexible' or 'invisible'",
    ]
