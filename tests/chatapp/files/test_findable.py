"""What search finds of a message's files: kept on the message when they are attached, and
rewritten when one of them is deleted."""

from __future__ import annotations

import pytest

from chatapp.files import attachments, findable, uploads
from chatapp.models import Message
from tests.chatapp import factories
from tests.chatapp.files.conftest import png_bytes, upload

pytestmark = pytest.mark.django_db


def test_names_and_text_are_kept_on_the_message_until_a_file_goes(user, file_config):
    conversation = factories.conversation(user)
    question, answer = factories.exchange(conversation, "read these", "ok")
    notes = uploads.store(user, upload("notes.md", b"# Plan\nShip it."), endpoint="openAI")
    image = uploads.store(user, upload("cat.png", png_bytes()), endpoint="openAI")
    attachments.attach(question, [notes, image])
    assert findable.text_of([notes, image]) == "notes.md\n# Plan\nShip it.\n\ncat.png"
    question.refresh_from_db()
    assert question.files_text == "notes.md\n# Plan\nShip it.\n\ncat.png"
    uploads.delete(notes)
    question.refresh_from_db()
    assert question.files_text == "cat.png"
    answer.refresh_from_db()
    assert answer.files_text == ""  # a message without files has none
    uploads.delete(image)
    assert Message.objects.get(pk=question.pk).files_text == ""
