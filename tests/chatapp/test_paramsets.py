"""Parameter panels: the base set per wire format, overridden by paramDefinitions."""

from chatapp.paramsets import definitions


def test_each_wire_format_has_its_set():
    assert [p.key for p in definitions("anthropic")] == [
        "temperature",
        "topP",
        "topK",
        "maxOutputTokens",
        "thinking",
        "thinkingBudget",
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
    widgets = {p.key: p.widget for p in definitions("google")}
    assert widgets["thinking"] == "switch"
    assert widgets["maxOutputTokens"] == "field"
