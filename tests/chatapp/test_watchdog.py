"""Open sockets end with their session: each way a session ends closes them.

Signed-out sockets close 4401, banned ones get the ban frame and close 4403;
a frame that would start work re-checks the session first.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.test import Client
from django.urls import reverse

from accounts import bans
from chatapp import watchdog
from chatapp.models import Conversation
from tests.chatapp.conftest import connect, send_frame, session_key

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fresh_layer"),
    pytest.mark.modes,
]
CLOSED = {"type": "websocket.close", "code": 4401}


def client_of(session: str) -> Client:
    client = Client()
    client.cookies["sessionid"] = session
    return client


def sign_out(user, session: str) -> None:
    client_of(session).post(reverse("account_logout"))


def sign_out_everywhere(user, session: str) -> None:
    other = session_key(user)  # from another device
    client_of(other).post(reverse("account_sign_out_everywhere"))


def expire(user, session: str) -> None:
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    past = timezone.now() - timedelta(seconds=1)
    Session.objects.filter(pk=session).update(expire_date=past)


def change_password(user, session: str) -> None:
    user.set_password("another-password-1")
    user.save()


def deactivate(user, session: str) -> None:
    user.is_active = False
    user.save()


def delete(user, session: str) -> None:
    user.delete()


ENDINGS = [sign_out, sign_out_everywhere, expire, change_password, deactivate, delete]


async def ready(user, session: str | None = None):
    """A socket whose connect has finished (its session checked, the watchdog told): a
    socket's frames are served one after another, so the answer to one comes after it.
    Ending the session before then would race the connect's own check (SQLite, in the
    embedded run, refuses a read of a table another connection is writing: "locked")."""
    socket = await connect(user, session=session)
    await socket.send_json_to({"type": "ping"})
    assert (await socket.receive_json_from(timeout=10))["code"] == "bad_frame"
    return socket


@pytest.mark.parametrize("end", ENDINGS)
async def test_an_open_socket_is_closed_when_its_session_ends(user, end):
    session = await sync_to_async(session_key)(user)
    socket = await ready(user, session)
    await sync_to_async(end)(user, session)
    assert await socket.receive_output(timeout=10) == CLOSED


async def test_a_ban_sends_the_ban_frame_and_closes_4403(user):
    socket = await ready(user)
    await sync_to_async(bans.ban)(user, None, "test")
    refused = await socket.receive_json_from(timeout=10)
    assert (refused["type"], refused["code"]) == ("error", "banned")
    assert "banned until" in refused["message"]
    assert await socket.receive_output(timeout=5) == {"type": "websocket.close", "code": 4403}


async def test_a_session_past_the_longest_lifetime_is_closed(user, settings):
    from importlib import import_module

    from accounts.sessions import STARTED_KEY

    SessionStore = import_module(settings.SESSION_ENGINE).SessionStore  # noqa: N806

    settings.SESSION_MAX_AGE = 3600
    session = await sync_to_async(session_key)(user)

    def started_long_ago() -> None:
        import time

        store = SessionStore(session)
        store[STARTED_KEY] = int(time.time()) - 3599  # ends a second from now
        store.save()

    await sync_to_async(started_long_ago)()
    socket = await connect(user, session=session)
    assert await socket.receive_output(timeout=10) == CLOSED


async def test_other_users_sockets_stay_open(user, stranger):
    session = await sync_to_async(session_key)(user)
    mine = await ready(user, session)
    theirs = await ready(stranger)
    await sync_to_async(sign_out)(user, session)
    assert await mine.receive_output(timeout=10) == CLOSED
    await theirs.send_json_to({"type": "ping"})
    assert (await theirs.receive_json_from(timeout=5))["code"] == "bad_frame"
    await theirs.disconnect()


@pytest.mark.parametrize(
    "frame",
    [
        send_frame("echo: after sign-out"),
        {"type": "subscribe", "conversation_id": "5" * 32},
        {"type": "stop", "conversation_id": "5" * 32},
        {"type": "regenerate", "conversation_id": "5" * 32, "message_id": "6" * 32},
        {"type": "edit", "conversation_id": "5" * 32, "message_id": "6" * 32, "text": "x"},
    ],
)
async def test_a_frame_after_the_session_ended_is_not_served(
    user, chat_endpoint, mock_provider, monkeypatch, frame
):
    monkeypatch.setattr(watchdog, "INTERVAL", 3600)  # only the frame's own check can close it
    session = await sync_to_async(session_key)(user)
    socket = await ready(user, session)
    await sync_to_async(sign_out)(user, session)
    await socket.send_json_to(frame)
    assert await socket.receive_output(timeout=10) == CLOSED
    assert mock_provider.requests == [] and await Conversation.objects.acount() == 0


async def test_a_socket_whose_session_already_ended_is_closed_at_once(user):
    session = await sync_to_async(session_key)(user)
    await sync_to_async(expire)(user, session)
    socket = await connect(user, session=session)
    assert await socket.receive_output(timeout=5) == CLOSED
