"""What the header offers: endpoints, models, icons, labels."""

from chatapp import catalog
from endpoints.config import load


def _config(tmp_path, yaml: str, env: dict | None = None):
    path = tmp_path / "librechat.yaml"
    path.write_text(yaml)
    return load(str(path), env or {})


YAML = """
version: 1.2.8
endpoints:
  custom:
    - name: "Groq"
      apiKey: "k"
      baseURL: "https://api.groq.com/openai/v1"
      models: { default: ["llama-3"] }
      iconURL: "https://example.com/groq.png"
      modelDisplayLabel: "Groq"
    - name: "Ollama"
      apiKey: "ollama"
      baseURL: "http://localhost:11434/v1"
      models: { default: ["llama3"] }
      customParams:
        defaultParamsEndpoint: anthropic
        paramDefinitions: [{ key: temperature, default: 0.2 }]
    - name: "Mine"
      apiKey: "user_provided"
      baseURL: "http://localhost:1/v1"
      models: { default: ["m"] }
      iconURL: anthropic
"""


def test_choices_in_configured_order_with_icons_and_params(tmp_path):
    options = catalog.choices(_config(tmp_path, YAML))
    assert [o.name for o in options] == ["Groq", "Ollama", "Mine"]
    groq, ollama, mine = options
    assert groq.icon.url == "https://example.com/groq.png"
    assert mine.icon.key == "anthropic" and mine.user_provides_key
    assert ollama.icon.letter == "O"
    assert [p.key for p in ollama.params][:3] == ["temperature", "topP", "topK"]
    assert ollama.params[0].default == 0.2


def test_selection_falls_back_to_the_first_offer(tmp_path):
    options = catalog.choices(_config(tmp_path, YAML))
    assert catalog.selection(options, "Ollama", "llama3")[1] == "llama3"
    chosen, model = catalog.selection(options, "Gone", "x")
    assert (chosen.name, model) == ("Groq", "llama-3")
    assert catalog.selection([], "x", "y") == (None, "")


def test_display_label_rules():
    assert catalog.display_label("gpt-4o-2024-08-06", "AI") == "GPT-4o"
    assert catalog.display_label("claude-sonnet-4", "AI") == "Claude"
    assert catalog.display_label("llama-3", "Groq") == "Groq"
    assert catalog.display_label("llama-3", "") == "AI"
    assert catalog.display_label("gpt-4o", "AI", preset_label="My bot") == "My bot"
