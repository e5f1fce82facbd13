"""endpoints.config: loading LibreChat's own files and the resolved Endpoint contract."""

from __future__ import annotations

from pathlib import Path

import pytest

from endpoints.config import ConfigError, check, current, load
from endpoints.endpoint import USER_PROVIDED

LIBRECHAT = Path(__file__).resolve().parent / "librechat"
EXAMPLES = sorted(LIBRECHAT.glob("*.yaml"))


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "librechat.yaml"
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_librechat_example_loads(path: Path) -> None:
    config = load(str(path), {}, required=True)
    assert all(p.level != "error" for p in config.problems)


def test_custom_endpoint_resolves_env_and_defaults(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
version: 1.3.14
endpoints:
  custom:
    - name: groq
      apiKey: '${GROQ_API_KEY}'
      baseURL: 'https://api.groq.com/openai/v1/'
      models: {default: [llama3-70b-8192]}
""",
    )
    groq = load(path, {"GROQ_API_KEY": "gsk-1"}).endpoints["groq"]
    assert (groq.kind, groq.api_key, groq.base_url) == (
        "openai",
        "gsk-1",
        "https://api.groq.com/openai/v1/",
    )
    assert groq.stream_rate == 1 and groq.title.enabled is False
    assert groq.model_display_label == "AI" and groq.icon_url == "groq"
    assert groq.available


def test_unset_key_makes_endpoint_unavailable_not_invalid(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
version: 1.3.14
endpoints:
  custom:
    - {name: groq, apiKey: '${GROQ_API_KEY}', baseURL: user_provided, models: {default: [m]}}
""",
    )
    groq = load(path, {}).endpoints["groq"]
    assert groq.unavailable == "GROQ_API_KEY is not set"
    assert groq.base_url == USER_PROVIDED and groq.user_provides_url


def test_env_alone_yields_openai(tmp_path: Path) -> None:
    config = load(str(tmp_path / "absent.yaml"), {"OPENAI_API_KEY": "sk-1", "OPENAI_MODELS": "a,b"})
    openai = config.endpoints["openAI"]
    assert (openai.kind, openai.api_key, openai.models.default) == ("openai", "sk-1", ("a", "b"))


def test_invalid_file_raises_with_every_error(tmp_path: Path) -> None:
    path = write(
        tmp_path, "version: 1.3.14\nendpoints:\n  openAI:\n    streamRate: fast\n  opneAI: {}\n"
    )
    with pytest.raises(ConfigError) as caught:
        load(path, {})
    text = str(caught.value)
    assert f"error: {path}:4:5: endpoints.openAI.streamRate: 'fast' must be a valid number" in text
    assert f"error: {path}:5:3: endpoints.opneAI: unknown key (did you mean 'openAI'?)" in text


def test_current_is_built_once_from_settings(tmp_path: Path, settings) -> None:
    from endpoints.config import current

    settings.CONFIG_PATH = write(tmp_path, "version: 1.3.14\n")
    settings.ENV = {"ANTHROPIC_API_KEY": "a-1"}
    current.cache_clear()
    try:
        first = current()
        assert [e.name for e in first.available()] == ["anthropic"]
        assert current() is first
    finally:
        current.cache_clear()


def test_endpoint_objects_are_immutable(tmp_path: Path) -> None:
    import dataclasses

    openai = load(str(tmp_path / "none.yaml"), {"OPENAI_API_KEY": "sk"}).endpoints["openAI"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        openai.api_key = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        openai.headers["X"] = "y"  # type: ignore[index]


def test_endpoints_hash_so_callers_may_cache_per_endpoint(tmp_path: Path) -> None:
    env = {"OPENAI_API_KEY": "sk"}
    first = load(str(tmp_path / "none.yaml"), env).endpoints["openAI"]
    again = load(str(tmp_path / "none.yaml"), env).endpoints["openAI"]
    assert first == again and hash(first) == hash(again) and len({first, again}) == 1


def test_start_up_logs_the_config_warnings(tmp_path, settings, caplog):
    config = tmp_path / "librechat.yaml"
    config.write_text("version: 1.3.14\nspeech: {}\n")
    settings.CONFIG_PATH, settings.ENV = str(config), {}
    current.cache_clear()
    try:
        check()
    finally:
        current.cache_clear()
    assert [r.getMessage() for r in caplog.records if r.name == "parley.config"] == [
        f"warning: {config}:2:1: speech: accepted but ignored: "
        "Parley does not implement speech (STT/TTS) yet"
    ]
