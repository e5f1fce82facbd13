"""The prompts library's rules: closed variables, filling them in, versions, who may use,
create and share (`interface.prompts`)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from chatapp.library import prompts
from chatapp.models import PromptGroup
from endpoints import config, registry
from tests.chatapp.conftest import use_config

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 4, 5, 6, 7, tzinfo=ZoneInfo("Asia/Seoul"))


@pytest.fixture(autouse=True)
def fresh_config():
    yield
    config.current.cache_clear()  # the next test reads its own file
    registry.current.cache_clear()


def interface(settings, tmp_path, prompts_setting: str) -> None:
    text = f"version: 1.3.14\ninterface:\n  prompts: {prompts_setting}\n"
    use_config(settings, tmp_path / "librechat.yaml", text)


def group(owner, text: str, **fields) -> PromptGroup:
    made = PromptGroup.objects.create(owner=owner, name=fields.pop("name", "Review"), **fields)
    prompts.add_version(made, text)
    return made


@pytest.mark.parametrize("text", ["Hello {{name", "{{a}} then {{", "line\n}} {{b}\n{{"])
def test_an_unclosed_variable_is_refused(text):
    with pytest.raises(prompts.Unclosed):
        prompts.check_closed(text)


def test_the_error_names_the_line():
    with pytest.raises(prompts.Unclosed, match="line 2"):
        prompts.check_closed("{{ok}}\nthen {{broken")


@pytest.mark.parametrize(
    "text", ["", "plain", "{{a}} and {{ b }}", "a } b { c", "{{current_date}}"]
)
def test_closed_text_passes(text):
    prompts.check_closed(text)


def test_custom_variables_are_the_non_special_ones_once_in_order():
    text = "{{topic}} by {{current_user}} on {{current_date}}: {{ tone }}, {{topic}}"
    assert prompts.custom_variables(text) == ["topic", "tone"]


def test_fill_replaces_special_and_custom_variables():
    text = "{{current_date}}|{{current_datetime}}|{{iso_datetime}}|{{current_user}}|{{ topic }}"
    filled = prompts.fill(text, {"topic": "tides"}, "Alice", NOW)
    assert filled == "2026-03-04|2026-03-04 05:06:07|2026-03-04T05:06:07+09:00|Alice|tides"


def test_a_choice_variable_names_its_options():
    """LibreChat's {{name:option|option}}: asked as a choice; the first use with options
    sets them, and any use of the name is filled with the one chosen."""
    text = "{{tone}} {{ tone : formal | casual | formal }} {{lang:en|ko}} {{current_user}} {{x:}}"
    assert prompts.variables(text) == {
        "tone": ("formal", "casual"), "lang": ("en", "ko"), "x": (),
    }  # fmt: skip
    assert prompts.custom_variables(text) == ["tone", "lang", "x"]
    filled = prompts.fill(text, {"tone": "casual", "lang": "ko"}, "Alice", NOW)
    assert filled == "casual casual ko Alice "
    prompts.check_choices(text, {"tone": "formal", "x": "anything"})
    with pytest.raises(prompts.NotAnOption, match="lang must be one of: en, ko"):
        prompts.check_choices(text, {"lang": "de"})
    prompts.check_closed(text)


def test_a_value_is_inserted_as_typed_and_a_missing_one_is_empty():
    filled = prompts.fill("{{a}}/{{b}}", {"a": "{{current_user}}"}, "Alice", NOW)
    assert filled == "{{current_user}}/"


def test_a_new_text_is_a_new_production_version(user):
    made = group(user, "first")
    prompts.save_group(made, "second")
    prompts.save_group(made, "second")  # unchanged: no new version
    texts = [(v.text, v.is_production) for v in made.versions.all()]
    assert texts == [("second", True), ("first", False)]


def test_an_older_version_can_be_made_production_again(user):
    made = group(user, "first")
    prompts.add_version(made, "second")
    prompts.make_production(made.versions.get(text="first"))
    assert prompts.production_text(made) == "first"
    assert made.versions.filter(is_production=True).count() == 1


def test_the_menu_has_own_and_shared_prompts_but_not_a_strangers_private_one(user, stranger):
    group(user, "mine {{x}}", command="mine")
    group(stranger, "theirs", name="Shared", command="shared", shared=True)
    group(stranger, "secret", name="Private", command="private")
    entries = {entry.command: entry for entry in prompts.menu(user)}
    assert sorted(entries) == ["mine", "shared"]
    assert entries["mine"].variables == ["x"]
    assert [entry.command for entry in prompts.menu(stranger)] == ["private", "shared"]


def test_by_default_users_use_and_create_and_staff_also_share(user, admin_user):
    assert prompts.permissions(user) == prompts.Permissions(True, True, False)
    assert prompts.permissions(admin_user) == prompts.Permissions(True, True, True)


def test_prompts_false_turns_the_library_off(settings, tmp_path, user):
    interface(settings, tmp_path, "false")
    group(user, "mine", command="mine")
    assert prompts.permissions(user) == prompts.Permissions(False, False, False)
    assert prompts.menu(user) == []


def test_an_object_sets_each_permission(settings, tmp_path, user, admin_user):
    interface(settings, tmp_path, "{use: true, create: false, share: false}")
    assert prompts.permissions(user) == prompts.Permissions(True, False, False)
    interface(settings, tmp_path, "{share: true}")
    assert prompts.permissions(user) == prompts.Permissions(True, True, True)
    interface(settings, tmp_path, "{use: false}")
    assert prompts.permissions(admin_user) == prompts.Permissions(False, False, False)
