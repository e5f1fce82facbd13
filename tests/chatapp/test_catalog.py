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


SPECS = (
    YAML
    + """
modelSpecs:
  addedEndpoints: [Ollama]
  list:
    - name: fast
      label: Fast
      description: Quick answers
      group: Quick
      groupIcon: /static/quick.svg
      order: 2
      preset: { endpoint: Groq, model: llama-3 }
    - name: careful
      label: Careful
      order: 1
      iconURL: anthropic
      default: true
      preset: { endpoint: Ollama, model: llama3, temperature: 0.1 }
    - name: local
      group: Quick
      showIconInMenu: false
      preset: { endpoint: Ollama, model: llama3 }
    - name: secret
      showInMenu: false
      preset: { endpoint: Groq, model: llama-3 }
"""
)


def test_the_spec_menu_is_grouped_and_ordered_with_icons(tmp_path):
    config = _config(tmp_path, SPECS)
    from endpoints import specs

    groups = catalog.spec_menu(specs.from_config(config), config)
    assert [(g.name, [c.spec.name for c in g.choices]) for g in groups] == [
        ("", ["careful"]),
        ("Quick", ["fast", "local"]),
    ]
    assert groups[1].icon == catalog.Icon(url="/static/quick.svg")
    careful, fast = groups[0].choices[0], groups[1].choices[0]
    assert careful.icon == catalog.Icon(key="anthropic")  # an icon key
    assert fast.icon == catalog.Icon(url="https://example.com/groq.png")  # the endpoint's
    assert fast.spec.description == "Quick answers"


def test_specs_choose_what_a_chat_starts_on_and_which_endpoints_show(tmp_path):
    from endpoints import specs

    config = _config(tmp_path, SPECS)
    offered = specs.from_config(config)
    assert catalog.chosen_spec(offered, "", "", "").name == "careful"  # the default
    assert catalog.chosen_spec(offered, "fast", "", "").name == "fast"  # asked
    assert catalog.chosen_spec(offered, "", "Groq", "llama-3").name == "fast"  # a chat's
    assert catalog.chosen_spec(offered, "", "Ollama", "other", new_chat=False) is None
    # addedEndpoints: the only endpoints offered beside the specs
    assert [o.name for o in catalog.endpoint_menu(catalog.choices(config), offered)] == ["Ollama"]
    plain = specs.from_config(_config(tmp_path, YAML))
    assert len(catalog.endpoint_menu(catalog.choices(config), plain)) == 3
    assert catalog.chosen_spec(plain, "", "", "") is None
