"""Parameter sets: the base set per wire format, overridden and extended by paramDefinitions."""

from endpoints.endpoint import CustomParams, Endpoint
from endpoints.paramsets import canonical, definitions, for_endpoint


def test_each_wire_format_has_its_set():
    assert [p.key for p in definitions("anthropic")] == [
        "temperature",
        "topP",
        "topK",
        "maxOutputTokens",
        "thinking",
        "thinkingBudget",
        "promptCache",
    ]
    assert "reasoningEffort" in [p.key for p in definitions("openai")]
    assert definitions("something-else") == definitions("custom")  # falls back to OpenAI's


def test_param_definitions_override_by_key():
    overrides = [
        {"key": "temperature", "default": 0.3, "range": {"min": 0, "max": 1, "step": 0.1}},
        {"key": "unknown", "default": 1},
    ]
    temperature = definitions("custom", overrides)[0]
    assert (temperature.default, temperature.minimum, temperature.maximum, temperature.step) == (
        0.3,
        0,
        1,
        0.1,
    )
    assert temperature.widget == "slider"
    assert "unknown" not in [p.key for p in definitions("custom", overrides)]  # no type
    widgets = {p.key: p.widget for p in definitions("google")}
    assert widgets["thinking"] == "switch"
    assert widgets["maxOutputTokens"] == "field"


def test_librechat_snake_case_keys_override_the_same_parameter():
    # LibreChat's OpenAI set names them top_p and max_tokens; the panel, topP and maxOutputTokens.
    overrides = [{"key": "top_p", "default": 0.5}, {"key": "max_tokens", "range": {"max": 4096}}]
    by_key = {p.key: p for p in definitions("openai", overrides)}
    assert by_key["topP"].default == 0.5 and by_key["maxOutputTokens"].maximum == 4096
    assert "top_p" not in by_key and "max_tokens" not in by_key
    assert canonical("frequency_penalty") == "frequencyPenalty"
    assert canonical("temperature") == "temperature"


def test_param_definitions_add_typed_parameters_but_never_managed_ones():
    overrides = [
        {"key": "seed", "type": "number", "range": {"min": 0, "max": 99}},
        {"key": "verbosity", "type": "enum", "options": ["low", "high"], "default": "low"},
        {"key": "web_search", "type": "boolean", "label": "Web search"},
        {"key": "model", "type": "enum", "options": ["gpt-secret"]},
        {"key": "tools", "type": "number"},
        {"key": "anthropic-beta", "type": "enum", "options": ["x"]},
        {"key": "stop", "type": "array"},  # no panel control, no check: not offered
    ]
    added = {p.key: p for p in definitions("custom", overrides)[6:]}
    assert list(added) == ["seed", "verbosity", "web_search"]
    assert (added["seed"].type, added["seed"].maximum) == ("number", 99)
    assert added["verbosity"].options == ("low", "high")
    assert (added["web_search"].type, added["web_search"].label) == ("bool", "Web search")


def test_for_endpoint_uses_the_default_params_endpoint_of_a_custom_endpoint():
    params = CustomParams(
        default_params_endpoint="anthropic", param_definitions=({"key": "topK", "default": 3},)
    )
    endpoint = Endpoint(name="c", kind="openai", custom=True, custom_params=params)
    keys = {p.key: p for p in for_endpoint(endpoint)}
    assert "topK" in keys and keys["topK"].default == 3
    assert "topK" not in {p.key for p in for_endpoint(Endpoint(name="o", kind="openai"))}
    assert "topK" in {p.key for p in for_endpoint(Endpoint(name="g", kind="google"))}
