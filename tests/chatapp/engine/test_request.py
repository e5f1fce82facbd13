"""A turn's parameters on the chat socket: the user's, allow-listed (endpoints.userparams),
whether they come in a `send` frame or from the conversation's stored parameters."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import sync_to_async

from chatapp.models import Conversation, Message
from tests.chatapp import factories
from tests.chatapp.conftest import ENDPOINT, MODEL, connect, frames_until, send_frame

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_layer")]

MARK = "HOSTILE"
HOSTILE = {
    "model": f"mock-{MARK}",
    "messages": [{"role": "user", "content": MARK}],
    "system": MARK,
    "tools": [{"type": "function", "function": {"name": MARK}}],
    "n": 5,
    "store": True,
    "stream": False,
    "extra_headers": {"X-Hostile": MARK},
    "anthropic-beta": MARK,
}


def wire(mock_provider) -> str:
    sent = mock_provider.last_request
    return json.dumps([sent.path, sent.headers, sent.body])


async def test_send_passes_only_the_allowed_params(user, chat_endpoint, mock_provider):
    socket = await connect(user)
    await socket.send_json_to(send_frame("echo: hi", params={**HOSTILE, "temperature": 0.5}))
    final = (await frames_until(socket, "final"))[-1]
    assert final["message"]["text"] == "hi"
    assert MARK not in wire(mock_provider)
    body = mock_provider.last_request.body
    assert (body["model"], body["temperature"], body["stream"]) == (MODEL, 0.5, True)
    assert "n" not in body and "tools" not in body and "store" not in body
    saved = await Conversation.objects.aget(pk=final["conversation_id"])
    assert saved.parameters == {"temperature": 0.5}  # what is stored is what was allowed
    await socket.disconnect()


async def test_a_bad_value_is_an_error_frame_naming_it(user, chat_endpoint, mock_provider):
    socket = await connect(user)
    await socket.send_json_to(send_frame("echo: hi", params={"temperature": 7}))
    error = await socket.receive_json_from(timeout=5)
    assert (error["type"], error["code"]) == ("error", "bad_parameter")
    assert error["message"].startswith("temperature: must be between 0 and 2")
    assert mock_provider.requests == []
    assert await Conversation.objects.acount() == 0
    await socket.send_json_to(send_frame("echo: still open"))  # the socket stays usable
    assert (await frames_until(socket, "final"))[-1]["message"]["text"] == "still open"
    await socket.disconnect()


def _stored(user, parameters: dict) -> tuple[str, str]:
    """A conversation as an older version or an import left it, with these parameters."""
    conversation = factories.conversation(
        user, endpoint=ENDPOINT, model=MODEL, parameters=parameters
    )
    asked, _ = factories.exchange(conversation, "echo: again", "again")
    return str(conversation.pk), str(asked.pk)


@pytest.mark.parametrize("kind", ["regenerate", "edit"])
async def test_stored_params_are_cleaned_on_every_turn(user, chat_endpoint, mock_provider, kind):
    cid, question = await sync_to_async(_stored)(user, {**HOSTILE, "top_p": 0.25})
    socket = await connect(user)
    frame = {"type": kind, "conversation_id": cid, "message_id": question}
    await socket.send_json_to(frame | ({"text": "echo: edited"} if kind == "edit" else {}))
    final = (await frames_until(socket, "final"))[-1]
    assert final["message"]["state"] == "complete"
    assert MARK not in wire(mock_provider)
    assert mock_provider.last_request.body["top_p"] == 0.25
    await socket.disconnect()


@pytest.mark.parametrize("kind", ["regenerate", "edit"])
async def test_a_stored_bad_value_is_refused(user, chat_endpoint, mock_provider, kind):
    cid, question = await sync_to_async(_stored)(user, {"maxOutputTokens": -3})
    socket = await connect(user)
    frame = {"type": kind, "conversation_id": cid, "message_id": question}
    await socket.send_json_to(frame | ({"text": "echo: edited"} if kind == "edit" else {}))
    error = await socket.receive_json_from(timeout=5)
    assert (error["code"], error["conversation_id"]) == ("bad_parameter", cid)
    assert "maxOutputTokens" in error["message"]
    assert mock_provider.requests == []
    assert await Message.objects.acount() == 2  # nothing new saved
    await socket.disconnect()


async def test_a_stranger_cannot_regenerate_with_anothers_params(
    user, stranger, chat_endpoint, mock_provider
):
    cid, question = await sync_to_async(_stored)(user, {"temperature": 0.5})
    socket = await connect(stranger)
    frame = {"type": "regenerate", "conversation_id": cid, "message_id": question}
    await socket.send_json_to(frame)
    error = await socket.receive_json_from(timeout=5)
    assert error["code"] == "not_found"
    assert mock_provider.requests == []
    await socket.disconnect()
