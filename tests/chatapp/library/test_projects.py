"""Projects: their instructions join every conversation's system prompt (on the wire, and in
the pre-flight estimate), instructions over a model's window are refused, folders and moves."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async

from chatapp.engine import prompt
from chatapp.library import projects
from chatapp.models import Conversation, Project
from endpoints import config, registry
from tests.chatapp import factories
from tests.chatapp.conftest import ENDPOINT, MODEL, connect, frames_until, send_frame, use_config

SPECS = """
version: 1.3.14
modelSpecs:
  list:
    - name: small-talk
      label: Small talk
      preset: {endpoint: Mock, model: tiny}
endpoints:
  custom:
    - name: Mock
      apiKey: k
      baseURL: http://127.0.0.1:9/v1
      models: {default: [tiny, roomy]}
      tokenConfig:
        tiny: {prompt: 1, completion: 1, context: 50}
        roomy: {prompt: 1, completion: 1, context: 100000}
"""


@pytest.fixture
def specs_config(settings, tmp_path):
    use_config(settings, tmp_path / "librechat.yaml", SPECS)
    yield
    config.current.cache_clear()
    registry.current.cache_clear()


@pytest.mark.django_db
def test_the_system_prompt_is_the_projects_then_the_conversations(user):
    conversation = factories.conversation(user, system_prompt="Own.")
    assert projects.system_prompt(conversation) == "Own."
    project = Project.objects.create(owner=user, name="P", instructions="  Shared.  ")
    projects.move(conversation, project)
    assert projects.system_prompt(conversation) == "Shared.\n\nOwn."
    conversation.system_prompt = ""
    assert projects.system_prompt(conversation) == "Shared."


@pytest.mark.django_db
def test_the_estimate_counts_the_project_instructions(user):
    project = Project.objects.create(owner=user, name="P", instructions="word " * 200)
    conversation = factories.conversation(user)
    asked, answered = factories.exchange(conversation, "q", "a")
    before = prompt.estimate(conversation, answered.pk, "mock-small", None, "hi")
    projects.move(conversation, project)
    after = prompt.estimate(conversation, answered.pk, "mock-small", None, "hi")
    assert after - before >= 200


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("fresh_layer")
async def test_the_provider_receives_the_project_instructions(user, chat_endpoint, mock_provider):
    def prepared() -> str:
        project = Project.objects.create(owner=user, name="P", instructions="Answer in French.")
        conversation = factories.conversation(
            user, endpoint=ENDPOINT, model=MODEL, system_prompt="Be brief.", project=project
        )
        return str(conversation.pk)

    cid = await sync_to_async(prepared)()
    socket = await connect(user)
    await socket.send_json_to(send_frame("echo: hi", conversation_id=cid))
    assert (await frames_until(socket, "final"))[-1]["message"]["text"] == "hi"
    first = mock_provider.last_request.body["messages"][0]
    assert first == {"role": "system", "content": "Answer in French.\n\nBe brief."}
    await socket.disconnect()


@pytest.mark.django_db
@pytest.mark.usefixtures("specs_config")
def test_instructions_over_the_specs_window_are_refused_naming_the_model():
    projects.check_fits("short", "small-talk")
    with pytest.raises(projects.TooLong, match="tiny accepts 50"):
        projects.check_fits("word " * 60, "small-talk")


@pytest.mark.django_db
@pytest.mark.usefixtures("specs_config")
def test_without_a_spec_every_offered_model_must_fit():
    with pytest.raises(projects.TooLong, match="tiny"):
        projects.check_fits("word " * 60, "")


@pytest.mark.django_db
def test_folders_hold_each_projects_unarchived_conversations(user, stranger):
    project = Project.objects.create(owner=user, name="P")
    inside = factories.conversation(user, project=project)
    factories.conversation(user, project=project, archived=True)
    factories.conversation(user)
    Project.objects.create(owner=stranger, name="Theirs")
    [folder] = projects.folders(user)
    assert (folder.project, folder.conversations) == (project, [inside])
    assert [f.project.name for f in projects.folders(stranger)] == ["Theirs"]


@pytest.mark.django_db
def test_moving_in_and_out_keeps_the_sidebar_order(user):
    project = Project.objects.create(owner=user, name="P")
    conversation = factories.conversation(user)
    stamp = conversation.updated_at
    projects.move(conversation, project)
    conversation.refresh_from_db()
    assert (conversation.project, conversation.updated_at) == (project, stamp)
    projects.move(conversation, None)
    conversation.refresh_from_db()
    assert conversation.project is None
    project.delete()  # deleting a project keeps its conversations
    assert Conversation.objects.filter(pk=conversation.pk).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("fresh_layer")
async def test_a_new_chat_starts_in_the_project_it_names(user, stranger, chat_endpoint):
    mine = await Project.objects.acreate(owner=user, name="Mine")
    theirs = await Project.objects.acreate(owner=stranger, name="Theirs")
    socket = await connect(user)
    await socket.send_json_to(send_frame("echo: hi", project=theirs.pk))
    refused = await socket.receive_json_from(timeout=5)
    assert (refused["type"], refused["code"]) == ("error", "not_found")
    assert await Conversation.objects.acount() == 0
    await socket.send_json_to(send_frame("echo: hi", project=mine.pk))
    final = (await frames_until(socket, "final"))[-1]
    saved = await Conversation.objects.aget(pk=final["conversation_id"])
    assert saved.project_id == mine.pk
    await socket.disconnect()
