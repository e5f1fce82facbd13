import uuid

import pytest
from django.db import connection
from django.http import Http404

from chatapp.engine import records
from chatapp.engine.records import Ask
from chatapp.engine.refusal import Refusal
from chatapp.models import Conversation, Message
from tests.chatapp import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_config():
    """Tests here switch librechat.yaml: the next test reads its own."""
    from endpoints import config

    yield
    config.current.cache_clear()


def send(**fields) -> Ask:
    return Ask(**{"text": "hi", "endpoint": "openAI", "model": "gpt-4o", **fields})


def test_send_saves_the_user_message_and_a_streaming_response(user):
    turn = records.send(user, send(params={"temperature": 0.5}))
    assert turn.conversation.owner == user
    assert turn.conversation.parameters == {"temperature": 0.5}
    assert (turn.user_message.role, turn.user_message.text) == ("user", "hi")
    assert turn.response.parent == turn.user_message
    assert turn.response.state == Message.State.STREAMING
    assert turn.response.model == "gpt-4o"


def test_send_continues_a_conversation_under_its_parent(user):
    conv = factories.conversation(user)
    _, answer = factories.exchange(conv, "q", "a")
    turn = records.send(user, send(conversation_id=conv.id, parent_id=answer.id, model="gpt-4.1"))
    assert turn.user_message.parent == answer
    conv.refresh_from_db()
    assert conv.model == "gpt-4.1"


def test_a_second_send_while_streaming_is_refused(user):
    first = records.send(user, send())
    with pytest.raises(Refusal) as caught:
        records.send(user, send(conversation_id=first.conversation.id))
    assert caught.value.code == "busy"
    assert first.conversation.messages.count() == 2


def test_regenerate_adds_a_response_sibling(user):
    conv = factories.conversation(user)
    question, answer = factories.exchange(conv, "q", "a")
    turn = records.regenerate(user, conv.id, question.id)
    assert turn.user_message == question
    assert set(question.children.all()) == {answer, turn.response}


def test_edit_adds_a_user_sibling_and_its_response(user):
    conv = factories.conversation(user)
    question, _ = factories.exchange(conv, "q", "a")
    turn = records.edit(user, conv.id, question.id, "q2")
    assert turn.user_message.parent == question.parent
    assert turn.user_message.text == "q2" and turn.user_message != question
    assert turn.response.parent == turn.user_message


def test_regenerate_needs_a_user_message(user):
    conv = factories.conversation(user)
    _, answer = factories.exchange(conv, "q", "a")
    with pytest.raises(Refusal):
        records.regenerate(user, conv.id, answer.id)


def test_strangers_ids_are_404_and_nothing_is_saved(user, stranger):
    conv = factories.conversation(user)
    question, answer = factories.exchange(conv, "q", "a")
    with pytest.raises(Http404):
        records.send(stranger, send(conversation_id=conv.id))
    with pytest.raises(Http404):
        records.regenerate(stranger, conv.id, question.id)
    with pytest.raises(Http404):  # someone else's parent under one's own conversation
        records.send(stranger, send(parent_id=answer.id))
    with pytest.raises(Http404):
        records.send(user, send(conversation_id=uuid.uuid4()))
    assert Conversation.objects.filter(owner=stranger).count() == 0
    assert conv.messages.count() == 2


def test_send_saves_the_instructions_and_none_keeps_them(user):
    turn = records.send(user, send(instructions="Answer in French."))
    assert turn.conversation.system_prompt == "Answer in French."
    conv = turn.conversation
    Message.objects.filter(conversation=conv).update(state=Message.State.COMPLETE)
    records.send(user, send(conversation_id=conv.id, parent_id=turn.response.id))
    conv.refresh_from_db()
    assert conv.system_prompt == "Answer in French."


def test_a_new_chat_starts_with_the_users_personal_instructions(user):
    user.instructions = "Be brief."
    user.save(update_fields=["instructions"])
    assert records.send(user, send()).conversation.system_prompt == "Be brief."
    assert records.send(user, send(instructions="")).conversation.system_prompt == ""


def test_a_temporary_send_starts_a_chat_that_expires(user):
    turn = records.send(user, send(temporary=True))
    assert turn.conversation.temporary
    assert turn.conversation.expires_at > turn.conversation.created_at


def test_a_temporary_send_is_refused_when_the_switch_is_off(user, settings, tmp_path):
    from tests.chatapp.conftest import use_config

    use_config(
        settings, tmp_path / "l.yaml", "version: 1.3.14\ninterface: {temporaryChat: false}\n"
    )
    with pytest.raises(Refusal) as caught:
        records.send(user, send(temporary=True))
    assert caught.value.code == "temporary_chat_disabled"
    assert not Conversation.objects.exists()


def test_the_globe_is_kept_on_the_conversation_until_a_send_switches_it(user):
    def answered(turn):
        Message.objects.filter(pk=turn.response.pk).update(state=Message.State.COMPLETE)
        return turn.conversation.id

    cid = answered(turn := records.send(user, send(web_search=True)))
    assert turn.conversation.web_search
    again = records.send(user, send(conversation_id=cid))
    assert again.conversation.web_search  # None keeps it
    answered(again)
    off = records.send(user, send(conversation_id=cid, web_search=False))
    assert not off.conversation.web_search


def test_send_saves_the_pickers_mcp_servers_and_none_keeps_them(user, mcp_yaml):
    mcp_yaml(
        {
            "a": {"command": "x"},
            "b": {"command": "x"},
            "hidden": {"command": "x", "chatMenu": False},
        }
    )
    first = records.send(user, send(mcp_servers=["b", "hidden", "nope", "a", "b"]))
    assert first.conversation.mcp_servers == ["b", "a"]
    first.response.state = Message.State.COMPLETE
    first.response.save()
    again = records.send(
        user, send(conversation_id=first.conversation.id, parent_id=first.response.id)
    )
    again.conversation.refresh_from_db()
    assert again.conversation.mcp_servers == ["b", "a"]


def test_a_new_chat_starts_with_its_history_as_one_branch(user):
    history = (("user", "one"), ("assistant", "two"))
    turn = records.send(user, send(text="three", history=history, api_key=7))
    path = [turn.user_message.parent.parent, turn.user_message.parent, turn.user_message]
    assert [(m.role, m.text) for m in path] == [
        ("user", "one"),
        ("assistant", "two"),
        ("user", "three"),
    ]
    assert path[0].parent is None and path[1].model == "gpt-4o"
    assert turn.api_key == 7 and not turn.unsaved and turn.conversation.expires_at is None


def test_an_unsaved_send_is_a_hidden_chat_swept_soon_even_with_temporary_chats_off(
    user, settings, tmp_path
):
    from django.utils import timezone

    from chatapp import temporary
    from tests.chatapp.conftest import use_config

    use_config(
        settings, tmp_path / "l.yaml", "version: 1.3.14\ninterface: {temporaryChat: false}\n"
    )
    turn = records.send(user, send(unsaved=True))
    assert turn.unsaved and turn.conversation.temporary
    assert turn.conversation.expires_at <= timezone.now() + temporary.UNSAVED_RETENTION


def test_the_turn_carries_its_files_for_the_created_frame_and_a_regenerate_too(
    user, settings, tmp_path
):
    from chatapp.engine import frames
    from chatapp.files import storage, uploads
    from chatapp.protocol import Created
    from tests.chatapp.files.conftest import png_bytes, upload

    settings.FILES_ROOT, settings.VISION_MODELS = tmp_path / "files", ("gpt-4o",)
    storage.storage.cache_clear()
    image = uploads.store(user, upload("cat.png", png_bytes()), endpoint="openAI")
    turn = records.send(user, send(attachments=(str(image.id),)))
    assert [(f["id"], f["name"], f["kind"]) for f in turn.files] == [
        (str(image.id), "cat.png", "image")
    ]
    created = frames.created(turn.conversation.id, turn.user_message, turn.response, turn.files)
    assert Created.model_validate(created).dump() == created
    assert created["user_message"]["files"][0]["url"] == f"/api/files/{image.id}/content"
    Message.objects.filter(pk=turn.response.pk).update(state=Message.State.COMPLETE)
    again = records.regenerate(user, turn.conversation.id, turn.user_message.id)
    assert again.files == turn.files
    plain = records.send(user, send())  # a text-only message: no files, as before
    assert plain.files == ()
    storage.storage.cache_clear()


@pytest.mark.django_db(transaction=True)
def test_a_new_chats_first_message_is_one_statement_without_a_transaction(user):
    """Its one INSERT is atomic by itself: no BEGIN and COMMIT round trips around it. A
    message that continues a conversation still locks its row in a transaction."""
    atomic: list[bool] = []

    def note(execute, sql, params, many, context):
        atomic.append(connection.in_atomic_block)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(note):
        first = records.send(user, send())
    if connection.vendor == "postgresql":
        assert atomic == [False]
    else:  # one statement per model, in one transaction (SQLite's BEGIN goes first)
        assert atomic[-2:] == [True, True]
    assert Message.objects.filter(conversation=first.conversation).count() == 2
    Message.objects.filter(pk=first.response.pk).update(state=Message.State.COMPLETE)
    atomic.clear()
    with connection.execute_wrapper(note):
        records.send(user, send(conversation_id=first.conversation.id, parent_id=first.response.id))
    assert atomic[-1]  # its INSERT, in the transaction (SQLite's BEGIN goes before it)
