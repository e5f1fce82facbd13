"""Files on a turn: parts through the engine to the mock provider, or a clear refusal
before any provider call."""

from __future__ import annotations

import hashlib

import pytest
from asgiref.sync import sync_to_async

from chatapp.engine import turns
from chatapp.engine.refusal import Refusal
from chatapp.files import storage, uploads
from chatapp.models import Attachment, Message, StoredFile
from tests.chatapp.conftest import ENDPOINT, MODEL, settle
from tests.chatapp.engine.test_turns import CLIENT, start
from tests.chatapp.files.conftest import pdf_bytes, png_bytes, upload
from tests.chatapp.files.test_extraction import pdf_with_text

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_layer")]


@pytest.fixture(autouse=True)
def files_root(settings, tmp_path):
    settings.FILES_ROOT = tmp_path / "files"
    settings.VISION_MODELS = ()
    storage.storage.cache_clear()
    yield
    storage.storage.cache_clear()


def line(kind: str, mime: str, data: bytes) -> str:
    return f"{kind} {mime} {len(data)} {hashlib.sha256(data).hexdigest()}"


@sync_to_async
def stored(user, name: str, data: bytes) -> StoredFile:
    return uploads.store(user, upload(name, data), endpoint=ENDPOINT)


async def test_a_vision_model_receives_the_image_and_pdf_bytes(user, chat_endpoint, settings):
    settings.VISION_MODELS = ("mock-small",)  # the operator's addition to LibreChat's list
    image, document = (
        await stored(user, "cat.png", png_bytes()),
        await stored(user, "r.pdf", pdf_bytes()),
    )
    question = "echo-parts: what is in these?"
    ask = turns.Ask(question, ENDPOINT, MODEL, attachments=(str(image.id), str(document.id)))
    started, collector = await start(user, ask)
    final = (await collector.until("final"))[-1]["message"]
    await settle()
    assert final["text"].splitlines() == [
        line("text", "text/plain", question.encode()),
        line("image", "image/png", png_bytes()),
        line("document", "application/pdf", pdf_bytes()),
    ]
    rows = [a async for a in Attachment.objects.filter(message=started.turn.user_message)]
    assert [a.file_id for a in rows] == [image.id, document.id]
    assert await StoredFile.objects.filter(attached_at__isnull=False).acount() == 2


async def test_a_text_model_gets_a_documents_text_and_is_refused_an_image(
    user, chat_endpoint, mock_provider
):
    notes = await stored(user, "notes.md", b"# Plan\nShip it.")
    ask = turns.Ask("echo-parts: read", ENDPOINT, MODEL, attachments=(str(notes.id),))
    _, collector = await start(user, ask)
    final = (await collector.until("final"))[-1]["message"]
    await settle()
    assert final["text"].splitlines()[1] == line(
        "text", "text/plain", b"notes.md:\n\n# Plan\nShip it."
    )
    image = await stored(user, "cat.png", png_bytes())
    calls = len(mock_provider.requests)
    with pytest.raises(Refusal) as refused:
        await turns.send(
            user, CLIENT, turns.Ask("look", ENDPOINT, MODEL, attachments=(str(image.id),))
        )
    assert refused.value.code == "unreadable_attachment"
    assert refused.value.message == f"{MODEL} cannot read images (cat.png): pick a model that can."
    assert len(mock_provider.requests) == calls
    assert not await Message.objects.filter(text="look").aexists()


async def test_a_strangers_file_and_too_many_files_are_refused(user, stranger, chat_endpoint):
    chat_endpoint(token_config="fileConfig:\n  endpoints:\n    default:\n      fileLimit: 1\n")
    theirs = await stored(stranger, "a.md", b"secret")
    with pytest.raises(Refusal) as refused:
        await turns.send(user, CLIENT, turns.Ask("x", ENDPOINT, MODEL, attachments=(theirs.id,)))
    assert refused.value.code == "not_found"
    mine = [await stored(user, f"{i}.md", b"hi") for i in range(2)]
    ids = tuple(str(f.id) for f in mine)
    with pytest.raises(Refusal) as refused:
        await turns.send(user, CLIENT, turns.Ask("x", ENDPOINT, MODEL, attachments=ids))
    assert refused.value.code == "too_many_files"
    assert refused.value.message == f"At most 1 files per message on {ENDPOINT}."


async def test_a_file_chosen_as_text_reaches_even_a_vision_model_as_its_text(
    user, chat_endpoint, settings, mock_provider
):
    settings.VISION_MODELS = ("mock-small",)
    document = await stored(user, "r.pdf", pdf_with_text("Quarterly figures").getvalue())
    image = await stored(user, "cat.png", png_bytes())
    chosen = ({"id": document.id, "as_text": True}, {"id": str(image.id), "as_text": False})
    ask = turns.Ask("echo-parts: read", ENDPOINT, MODEL, attachments=chosen)
    started, collector = await start(user, ask)
    final = (await collector.until("final"))[-1]["message"]
    await settle()
    text = b"r.pdf:\n\nQuarterly figures"
    assert final["text"].splitlines()[1:] == [
        line("text", "text/plain", text),
        line("image", "image/png", png_bytes()),
    ]
    rows = Attachment.objects.filter(message=started.turn.user_message)
    assert [(a.file_id, a.as_text) async for a in rows] == [(document.id, True), (image.id, False)]
    # The next turn's prompt reads the choice back from the message.
    ask = turns.Ask("echo-parts: again", ENDPOINT, MODEL, started.turn.conversation.id,
                    started.turn.response.id)  # fmt: skip
    _, collector = await start(user, ask)
    await collector.until("final")
    await settle()
    first = mock_provider.last_request.body["messages"][0]["content"]
    assert [part["type"] for part in first] == ["text", "text", "image_url"]
    assert first[1]["text"] == text.decode()


async def test_a_file_without_text_chosen_as_text_is_refused(user, chat_endpoint, mock_provider):
    image = await stored(user, "cat.png", png_bytes())
    calls = len(mock_provider.requests)
    with pytest.raises(Refusal) as refused:
        chosen = ({"id": str(image.id), "as_text": True},)
        await turns.send(user, CLIENT, turns.Ask("look", ENDPOINT, MODEL, attachments=chosen))
    assert refused.value.code == "no_text"
    assert refused.value.message == "cat.png has no text to send: send the file itself."
    assert len(mock_provider.requests) == calls
    assert not await Message.objects.filter(text="look").aexists()


async def test_a_strangers_file_is_not_found_when_chosen_as_text(user, stranger, chat_endpoint):
    theirs = await stored(stranger, "a.md", b"secret")
    chosen = ({"id": str(theirs.id), "as_text": True},)
    with pytest.raises(Refusal) as refused:
        await turns.send(user, CLIENT, turns.Ask("x", ENDPOINT, MODEL, attachments=chosen))
    assert refused.value.code == "not_found"
