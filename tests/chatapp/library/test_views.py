"""The prompts and projects pages, the slash menu's JSON, moving a conversation, and the
sidebar's project groups: as the owner, as a stranger (404) and with the library off (403)."""

from __future__ import annotations

import json

import pytest

from chatapp.library import prompts
from chatapp.models import Conversation, Project, PromptGroup
from endpoints import config, registry
from tests.chatapp import factories
from tests.chatapp.conftest import use_config

pytestmark = pytest.mark.django_db
YAML = """
version: 1.3.14
endpoints:
  custom:
    - name: Mock
      apiKey: k
      baseURL: http://127.0.0.1:9/v1
      models: {default: [tiny]}
      tokenConfig: {tiny: {prompt: 1, completion: 1, context: 50}}
"""


@pytest.fixture(autouse=True)
def mock_config(settings, tmp_path):
    use_config(settings, tmp_path / "librechat.yaml", YAML)
    yield
    config.current.cache_clear()
    registry.current.cache_clear()


@pytest.fixture
def alice(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def mallory(client, stranger):
    client.force_login(stranger)
    return client


def a_group(owner, text="Hi {{who}}", **fields) -> PromptGroup:
    group = PromptGroup.objects.create(owner=owner, name="Greeting", command="greet", **fields)
    prompts.add_version(group, text)
    return group


def test_creating_a_prompt_makes_its_first_production_version(alice, user):
    form = {"name": "Review", "command": "/Review", "category": "code", "text": "Check {{lang}}"}
    response = alice.post("/prompts/new", form)
    group = PromptGroup.objects.get(owner=user)
    assert response.status_code == 302 and response["Location"] == f"/prompts/{group.pk}"
    assert (group.command, prompts.production_text(group)) == ("review", "Check {{lang}}")
    assert "shared" not in alice.get("/prompts/new").context["form"].fields  # users may not share


def test_an_unclosed_variable_is_a_form_error(alice, user):
    response = alice.post("/prompts/new", {"name": "Broken", "text": "Hello {{name"})
    assert response.status_code == 400
    assert "has no closing" in response.content.decode()
    assert not PromptGroup.objects.exists()


@pytest.mark.parametrize(
    ("command", "error"),
    [("greet", "already have a prompt"), ("no spaces", "lower-case"), ("x" * 51, "")],
)
def test_a_bad_or_taken_command_is_a_form_error(alice, user, command, error):
    a_group(user)
    response = alice.post("/prompts/new", {"name": "Other", "command": command, "text": "t"})
    assert response.status_code == 400
    assert error in response.content.decode()
    assert PromptGroup.objects.count() == 1


def test_editing_the_text_adds_a_version_and_any_can_be_production_again(alice, user):
    group = a_group(user)
    alice.post(f"/prompts/{group.pk}", {"name": "Greeting", "command": "greet", "text": "Yo"})
    first = group.versions.get(text="Hi {{who}}")
    assert prompts.production_text(group) == "Yo"
    alice.post(f"/prompts/{group.pk}/versions/{first.pk}/production")
    assert prompts.production_text(group) == "Hi {{who}}"
    assert 'data-testid="prompt-version"' in alice.get(f"/prompts/{group.pk}").content.decode()


def test_the_menu_and_fill(alice, user, stranger):
    group = a_group(user, "{{who}}, {{current_user}}")
    a_group(stranger, "secret", shared=False)
    menu = alice.get("/prompts/menu").json()["prompts"]
    assert [(e["command"], e["variables"]) for e in menu] == [("greet", ["who"])]
    body = json.dumps({"values": {"who": "Bob"}})
    filled = alice.post(f"/prompts/{group.pk}/fill", body, content_type="application/json")
    assert filled.json() == {"text": "Bob, alice@example.com"}
    bad = alice.post(f"/prompts/{group.pk}/fill", "[1]", content_type="application/json")
    assert bad.status_code == 400


def test_a_choice_variable_is_offered_with_its_options_and_held_to_them(alice, user):
    group = a_group(user, "Say it {{tone:formal|casual}} to {{who}}")
    menu = alice.get("/prompts/menu").json()["prompts"]
    assert [(e["variables"], e["options"]) for e in menu] == [
        (["tone", "who"], {"tone": ["formal", "casual"]})
    ]
    url = f"/prompts/{group.pk}/fill"
    body = json.dumps({"values": {"tone": "casual", "who": "Bob"}})
    assert alice.post(url, body, "application/json").json() == {"text": "Say it casual to Bob"}
    odd = alice.post(url, json.dumps({"values": {"tone": "rude"}}), "application/json")
    assert odd.status_code == 400
    assert odd.json() == {"error": "tone must be one of: formal, casual."}


def test_a_stranger_gets_404_for_a_private_prompt_and_may_use_a_shared_one(mallory, user):
    private = a_group(user)
    for url in (f"/prompts/{private.pk}", f"/prompts/{private.pk}/delete"):
        assert mallory.post(url, {"name": "x", "text": "y"}).status_code == 404
    assert mallory.post(f"/prompts/{private.pk}/fill", "{}", "application/json").status_code == 404
    version = private.versions.get()
    assert (
        mallory.post(f"/prompts/{private.pk}/versions/{version.pk}/production").status_code == 404
    )
    private.shared = True
    private.save()
    filled = mallory.post(f"/prompts/{private.pk}/fill", "{}", "application/json")
    assert filled.json() == {"text": "Hi "}
    assert mallory.post(f"/prompts/{private.pk}", {"name": "x", "text": "y"}).status_code == 404
    assert prompts.production_text(private) == "Hi {{who}}"


def test_the_library_off_refuses_every_action_and_hides_the_menu(alice, user, settings, tmp_path):
    group = a_group(user)
    use_config(settings, tmp_path / "off.yaml", YAML + "interface: {prompts: false}\n")
    for url in ("/prompts", "/prompts/new"):
        assert alice.get(url).status_code == 403
    assert alice.post(f"/prompts/{group.pk}/fill", "{}", "application/json").status_code == 403
    assert alice.get("/prompts/menu").json() == {"prompts": []}
    page = alice.get("/").content.decode()
    assert 'data-testid="slash-menu"' not in page and 'data-testid="prompts-link"' not in page


def test_create_only_off_lists_but_refuses_creation(alice, user, settings, tmp_path):
    use_config(settings, tmp_path / "use.yaml", YAML + "interface: {prompts: {create: false}}\n")
    assert alice.get("/prompts").status_code == 200
    assert alice.post("/prompts/new", {"name": "x", "text": "y"}).status_code == 403


def test_a_project_with_instructions_over_the_window_is_a_form_error(alice, user):
    response = alice.post("/projects", {"name": "Big", "instructions": "word " * 60})
    assert response.status_code == 400
    assert "tiny accepts 50" in response.content.decode()
    assert not Project.objects.exists()
    response = alice.post("/projects", {"name": "Fine", "instructions": "Be kind."})
    project = Project.objects.get()
    assert response["Location"] == f"/projects/{project.pk}"
    assert (project.owner, project.instructions) == (user, "Be kind.")


def test_an_unknown_model_spec_is_a_form_error(alice):
    response = alice.post("/projects", {"name": "P", "model_spec": "nope"})
    assert response.status_code == 400
    assert not Project.objects.exists()


def test_moving_a_conversation_in_groups_it_under_its_project(alice, user):
    project = Project.objects.create(owner=user, name="Garden")
    conversation = factories.conversation(user, title="Roses")
    factories.conversation(user, title="Loose")
    dialog = alice.get(f"/c/{conversation.pk}/project").content.decode()
    assert 'data-testid="move-dialog"' in dialog and "Garden" in dialog
    alice.post(f"/c/{conversation.pk}/project", {"project": project.pk}, HTTP_HX_REQUEST="true")
    page = alice.get("/").content.decode()
    assert page.index('data-testid="project-group"') < page.index("Roses") < page.index("Loose")
    item = f'data-testid="conversation-item" data-conversation-id="{conversation.pk}"'
    assert page.count(item) == 1  # not repeated in the date groups
    assert "Roses" in alice.get(f"/projects/{project.pk}").content.decode()
    alice.post(f"/c/{conversation.pk}/project", {"project": ""})
    assert Conversation.objects.get(pk=conversation.pk).project is None


def test_a_stranger_cannot_see_edit_or_move_into_a_project(mallory, user, stranger):
    project = Project.objects.create(owner=user, name="Garden", instructions="secret")
    theirs = factories.conversation(stranger)
    mine = factories.conversation(user)
    assert mallory.get(f"/projects/{project.pk}").status_code == 404
    assert mallory.post(f"/projects/{project.pk}", {"name": "x"}).status_code == 404
    assert mallory.post(f"/projects/{project.pk}/delete").status_code == 404
    moved = mallory.post(f"/c/{theirs.pk}/project", {"project": project.pk})
    assert moved.status_code == 404
    assert mallory.post(f"/c/{mine.pk}/project", {"project": ""}).status_code == 404
    assert "Garden" not in mallory.get("/projects").content.decode()
    assert Project.objects.get().instructions == "secret"


def test_a_new_chat_opened_from_a_project_carries_it(alice, user, stranger):
    project = Project.objects.create(owner=user, name="Garden")
    assert f'href="/?project={project.pk}"' in alice.get(f"/projects/{project.pk}").content.decode()
    page = alice.get(f"/?project={project.pk}").content.decode()
    assert f'data-project-id="{project.pk}"' in page
    theirs = Project.objects.create(owner=stranger, name="Theirs")
    assert alice.get(f"/?project={theirs.pk}").status_code == 404


@pytest.mark.parametrize(
    ("language", "words"),
    [("zh-hans", ("新建提示词", "{{name:option|option}} 则从这些选项中选择")),
     ("ko", ("새 프롬프트", "{{name:option|option}}은 그 옵션 중에서"))],
)  # fmt: skip
def test_the_prompts_pages_are_translated(alice, language, words):
    listing = alice.get("/prompts", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    form = alice.get("/prompts/new", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert words[0] in listing and words[1] in form
