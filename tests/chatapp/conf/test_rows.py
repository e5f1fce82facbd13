"""chatapp.conf.rows: new instances of several models in one INSERT statement on
PostgreSQL (one per model elsewhere), each value as the ORM's own INSERT makes it."""

from __future__ import annotations

import uuid

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from chatapp.conf import rows
from chatapp.models import Conversation, Message

pytestmark = pytest.mark.django_db


def new_turn(user) -> tuple[Conversation, Message, Message]:
    conversation = Conversation(owner=user, endpoint="openAI", model="gpt-4o", parameters={"a": 1})
    question = Message(conversation=conversation, role=Message.Role.USER, text="hi")
    answer = Message(
        conversation=conversation,
        parent=question,
        role=Message.Role.ASSISTANT,
        state=Message.State.STREAMING,
    )
    return conversation, question, answer


def test_a_conversation_and_its_messages_in_one_statement_on_postgresql(user):
    conversation, question, answer = new_turn(user)
    with CaptureQueriesContext(connection) as seen:
        rows.insert(conversation, question, answer)
    if connection.vendor == "postgresql":
        assert len(seen) == 1
    else:  # one per model, in a transaction
        assert [q["sql"].split()[0] for q in seen if "INSERT" in q["sql"]] == ["INSERT"] * 2
    saved = Conversation.objects.get(pk=conversation.pk)
    assert (saved.owner_id, saved.model, saved.parameters) == (user.pk, "gpt-4o", {"a": 1})
    assert saved.updated_at is not None  # auto_now, as the ORM's INSERT sets it
    assert saved.mcp_servers == [] and saved.archived is False  # the fields' defaults
    assert list(saved.messages.order_by("role").values_list("role", "parent_id", "state")) == [
        ("assistant", question.pk, "streaming"),
        ("user", None, "complete"),
    ]


def test_inserted_instances_count_as_saved(user):
    conversation, question, answer = new_turn(user)
    rows.insert(conversation, question, answer)
    answer.text = "done"
    answer.save()  # an UPDATE, not a second INSERT of the same key
    assert Message.objects.get(pk=answer.pk).text == "done"
    assert not conversation._state.adding and conversation._state.db == "default"


def test_a_refused_row_saves_none_of_the_statements_rows(user):
    conversation, question, answer = new_turn(user)
    rows.insert(conversation)
    again = Conversation(pk=conversation.pk, owner=user)  # the same key
    other = Message(conversation=conversation, role=Message.Role.USER, text="lost")
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.insert(again, other)
    assert not Message.objects.filter(pk=other.pk).exists()


def test_each_model_keeps_its_own_statement_for_a_number_of_rows(user):
    conversation, question, answer = new_turn(user)
    rows.insert(conversation, question, answer)
    more = [Message(conversation=conversation, role="user", text=str(i)) for i in range(3)]
    rows.insert(*more)
    assert Message.objects.filter(conversation=conversation).count() == 5
    assert uuid.UUID(str(more[0].pk))  # the default made the key before the insert


def test_changed_fields_of_a_message_and_its_conversation_in_one_statement(
    user, django_assert_num_queries
):
    conversation, question, answer = new_turn(user)
    rows.insert(conversation, question, answer)
    before = Conversation.objects.get(pk=conversation.pk).updated_at
    answer.text, answer.state, answer.model = "done", Message.State.COMPLETE, "not saved"
    with CaptureQueriesContext(connection) as seen:
        rows.update((answer, ("text", "state", "updated_at")), (conversation, ("updated_at",)))
    if connection.vendor == "postgresql":
        assert len(seen) == 1
    saved = Message.objects.get(pk=answer.pk)
    assert (saved.text, saved.state, saved.model) == ("done", "complete", "")  # only those
    assert Conversation.objects.get(pk=conversation.pk).updated_at > before  # auto_now


def test_an_update_of_a_row_that_is_gone_inserts_nothing(user):
    conversation, question, answer = new_turn(user)
    rows.insert(conversation, question, answer)
    Conversation.objects.filter(pk=conversation.pk).delete()
    answer.text = "too late"
    rows.update((answer, ("text",)), (conversation, ("updated_at",)))
    assert not Message.objects.filter(pk=answer.pk).exists()
    assert not Conversation.objects.filter(pk=conversation.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_a_row_refused_after_others_leaves_none_of_them_saved(user):
    """No transaction around the call: the rows are all saved or none, on either database."""
    conversation, question, answer = new_turn(user)
    rows.insert(conversation, question, answer)
    another, repeated, _ = new_turn(user)
    repeated.pk = question.pk  # taken already
    with pytest.raises(IntegrityError):
        rows.insert(another, repeated)
    assert not Conversation.objects.filter(pk=another.pk).exists()
