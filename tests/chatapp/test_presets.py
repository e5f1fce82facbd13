"""Presets keep only the parameters the user may set (endpoints.userparams)."""

import json

import pytest

from chatapp import presets
from chatapp.conversations import BadRequest
from chatapp.models import Preset
from tests.chatapp.conftest import ENDPOINT, MODEL

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("chat_endpoint")]
HOSTILE = {"model": "gpt-secret", "messages": [], "tools": [], "n": 5, "system": "x"}


def settings_json(params, endpoint=ENDPOINT) -> str:
    return json.dumps({"endpoint": endpoint, "model": MODEL, "params": params})


def test_settings_keep_only_the_allowed_params():
    parsed = presets.parse_settings(settings_json({**HOSTILE, "temperature": 0.2, "top_p": 0.5}))
    assert parsed == {
        "endpoint": ENDPOINT,
        "model": MODEL,
        "parameters": {"temperature": 0.2, "topP": 0.5},
        "system_prompt": "",
    }


def test_settings_carry_instructions_under_the_message_limit(settings):
    settings.CHAT_MAX_MESSAGE_CHARS = 10
    raw = {"endpoint": ENDPOINT, "model": MODEL, "params": {}, "instructions": "Be brief."}
    assert presets.parse_settings(json.dumps(raw))["system_prompt"] == "Be brief."
    raw["instructions"] = "x" * 11
    with pytest.raises(BadRequest, match="instructions are 11 characters long; the limit is 10"):
        presets.parse_settings(json.dumps(raw))


def test_a_bad_value_is_refused_naming_it():
    with pytest.raises(BadRequest, match=r"settings\.params\.temperature: must be between"):
        presets.parse_settings(settings_json({"temperature": 9}))


def test_an_unknown_endpoint_is_refused():
    with pytest.raises(BadRequest, match="No endpoint named 'Gone'"):
        presets.parse_settings(settings_json({"temperature": 0.2}, endpoint="Gone"))


def test_saving_through_the_page(client, user):
    client.force_login(user)
    saved = client.post("/presets", {"name": "P", "settings": settings_json(HOSTILE)})
    assert saved.status_code == 200
    assert Preset.objects.get(owner=user).parameters == {}
    refused = client.post("/presets", {"name": "Q", "settings": settings_json({"topP": 2})})
    assert refused.status_code == 400 and "topP" in refused.content.decode()


def test_a_stranger_cannot_overwrite_a_preset(client, user, stranger):
    preset = Preset.objects.create(owner=user, name="Mine", endpoint=ENDPOINT, model=MODEL)
    client.force_login(stranger)
    overwrite = {"name": "Taken", "settings": settings_json({"temperature": 0.1})}
    assert client.post(f"/presets/{preset.pk}", overwrite).status_code == 404
    preset.refresh_from_db()
    assert (preset.name, preset.parameters) == ("Mine", {})


@pytest.mark.parametrize(
    ("raw", "named"),
    [
        ("[" * 100_000 + "]" * 100_000, "settings nests deeper than 32 levels"),
        ('{"endpoint": "x\\u0000", "model": "m"}', "endpoint: contains a NUL character"),
        ('{"endpoint": "e", "model": "m", "params": {"stop": ["\\ud800"]}}', "unpaired surrogate"),
        ('{"endpoint": "e", "model": "m", "params": {"temperature": NaN}}', "NaN"),
    ],
)
def test_crafted_settings_are_refused_by_name(raw, named):
    with pytest.raises(BadRequest, match=named):
        presets.parse_settings(raw)


@pytest.mark.django_db
def test_the_interface_switch_turns_presets_off(client, user, settings, tmp_path):
    """interface.presets: false hides the presets and refuses saving and deleting them."""
    from endpoints import config as endpoint_config

    path = tmp_path / "librechat.yaml"
    path.write_text(
        "version: 1.3.14\nendpoints:\n  custom:\n    - {name: Mock, apiKey: k,"
        " baseURL: 'http://127.0.0.1:9/v1', models: {default: [m]}}\n"
        "interface:\n  presets: false\n"
    )
    settings.CONFIG_PATH = str(path)
    endpoint_config.current.cache_clear()
    try:
        client.force_login(user)
        kept = Preset.objects.create(owner=user, name="Old", endpoint="Mock", model="m")
        body = json.dumps({"endpoint": "Mock", "model": "m", "params": {}})
        assert client.post("/presets", {"name": "P", "settings": body}).status_code == 400
        assert client.post(f"/presets/{kept.id}/delete").status_code == 400
        assert Preset.objects.filter(owner=user).count() == 1
        assert 'id="presets"' not in client.get("/").content.decode()
    finally:
        endpoint_config.current.cache_clear()
