"""Generations across real web processes: daphne subprocesses on Redis and PostgreSQL.

The test process is one web process (its own channel layer on Redis); each
`web_process` is another, a real daphne (tests/webprocess.py). The mock
provider answers both over loopback HTTP.
"""

from __future__ import annotations

import asyncio
import json
import os
import time

import pytest
from asgiref.sync import sync_to_async
from django.db import connection
from websockets.asyncio.client import connect as ws_connect

from chatapp.models import Message
from tests.chatapp.conftest import connect, frames_until, joined, send_frame, settle
from tests.conftest import require_service
from tests.webprocess import WebProcess

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_layer")]
AGENT = "Mozilla/5.0 (X11; Linux x86_64) Firefox/131.0"
WORDS = " ".join(f"word{i}" for i in range(150))
SUBSCRIBES = 400


def chat_socket(web: WebProcess, session: str):
    """A signed-in browser-like socket to `web`'s /ws/chat/."""
    return ws_connect(
        f"ws://127.0.0.1:{web.port}/ws/chat/",
        origin="http://localhost:3080",
        additional_headers={"Cookie": f"sessionid={session}"},
        user_agent_header=AGENT,
    )


@pytest.fixture
def web_env(chat_endpoint, settings, redis_uri, tmp_path) -> dict[str, str]:
    """The environment of another web process sharing this test's database and Redis."""
    db = connection.settings_dict
    if db["ENGINE"] != "django.db.backends.postgresql":
        require_service("PostgreSQL", "DATABASE_URL does not name a PostgreSQL server")
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    user = db["USER"] or "postgres"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    keep = ("PATH", "HOME", "LANG", "TIKTOKEN_CACHE_DIR")
    return {
        **{k: v for k, v in os.environ.items() if k in keep},
        "DATABASE_URL": f"postgres://{user}{password}@{host}:{port}/{db['NAME']}",
        "REDIS_URI": redis_uri,
        "REDIS_KEY_PREFIX": settings.REDIS_KEY_PREFIX,
        "CONFIG_PATH": settings.CONFIG_PATH,
        "PARLEY_DATA_DIR": str(tmp_path / "web"),
        "PARLEY_STALE_STREAM_SECONDS": "3",
        "DEBUG_LOGGING": "false",
        "SECRET_KEY": settings.SECRET_KEY,
        "CREDS_KEY": settings.CREDS_KEY,
        "CREDS_IV": settings.CREDS_IV,
    }


@pytest.fixture
def web_process(web_env):
    started: list[WebProcess] = []

    def start() -> WebProcess:
        started.append(WebProcess(web_env))
        return started[-1]

    yield start
    for process in started:
        process.stop()


@pytest.fixture
def session(user, client) -> str:
    client.force_login(user)
    return client.cookies["sessionid"].value


async def receive_until(socket, kind: str, seconds: float = 15) -> list[dict]:
    frames = []
    while not frames or frames[-1]["type"] != kind:
        frames.append(json.loads(await asyncio.wait_for(socket.recv(), seconds)))
    return frames


async def test_another_process_catches_up_and_stops_a_generation(
    user, session, web_process, mock_provider
):
    other = web_process()
    mock_provider.behaviour.tokens_per_second = 40
    here = await connect(user)
    await here.send_json_to(send_frame(f"echo: {WORDS}"))
    started = await frames_until(here, "delta")
    cid = started[0]["conversation_id"]
    async with chat_socket(other, session) as there:
        await there.send(json.dumps({"type": "subscribe", "conversation_id": cid}))
        watched = await receive_until(there, "delta")
        state = watched[0]
        assert state["type"] == "state" and state["streaming"] is True
        assert state["message_id"] == started[0]["response_id"]
        await there.send(json.dumps({"type": "stop", "conversation_id": cid}))
        watched += await receive_until(there, "final")
    final = watched[-1]["message"]
    assert final["state"] == "aborted"
    assert state["text"] + joined(watched) == final["text"]
    assert 0 < len(final["text"]) < len(WORDS) and WORDS.startswith(final["text"])
    mine = started + await frames_until(here, "final")
    assert joined(mine) == final["text"]
    await here.disconnect()
    await settle()


async def test_a_socket_of_another_process_watching_before_the_send_gets_the_whole_stream(
    user, session, web_process, mock_provider
):
    other = web_process()
    here = await connect(user)
    await here.send_json_to(send_frame("echo: first"))
    first = await frames_until(here, "final")
    cid, parent = first[0]["conversation_id"], first[-1]["message"]["id"]
    mock_provider.behaviour.tokens_per_second = 40
    async with chat_socket(other, session) as there:
        await there.send(json.dumps({"type": "subscribe", "conversation_id": cid}))
        assert (await receive_until(there, "state"))[-1]["streaming"] is False
        follow_up = send_frame(f"echo: {WORDS}", conversation_id=cid, parent_id=parent)
        await here.send_json_to(follow_up)
        watched = await receive_until(there, "final")
    assert watched[0]["type"] == "created"
    final = watched[-1]["message"]
    assert final["text"] == WORDS
    # Whatever the generation sent before it heard of the other process comes
    # in a `state` frame; the deltas continue exactly where it ends.
    states = [f for f in watched if f["type"] == "state"]
    assert len(states) == 1 and states[0]["message_id"] == final["id"]
    after = watched[watched.index(states[0]) :]
    assert states[0]["text"] + joined(after) == WORDS
    mine = await frames_until(here, "final")
    assert joined(mine) == WORDS
    await here.disconnect()
    await settle()


async def test_a_killed_process_leaves_its_response_interrupted(
    user, session, web_process, mock_provider
):
    doomed = web_process()
    mock_provider.behaviour.tokens_per_second = 40
    async with chat_socket(doomed, session) as socket:
        await socket.send(json.dumps(send_frame(f"echo: {WORDS}")))
        frames = await receive_until(socket, "created")
        frames += await receive_until(socket, "delta")
        await asyncio.sleep(1.5)  # at least one partial save
        doomed.kill()
    response_id = frames[0]["response_id"]
    killed = await Message.objects.aget(pk=response_id)
    assert killed.state == "streaming" and killed.text and WORDS.startswith(killed.text)

    web_process()  # the restarted process sweeps responses no process saves any more
    deadline = time.monotonic() + 20
    while (await Message.objects.aget(pk=response_id)).state == "streaming":
        assert time.monotonic() < deadline, "never marked interrupted"
        await asyncio.sleep(0.3)
    recovered = await Message.objects.aget(pk=response_id)
    assert recovered.state == "interrupted"
    assert recovered.text == killed.text  # the partial text is kept
    question = await sync_to_async(lambda: recovered.parent)()
    assert question.text == f"echo: {WORDS}"


def session_of(someone) -> str:
    from django.test import Client

    client = Client()
    client.force_login(someone)
    return client.cookies["sessionid"].value


async def test_floods_of_subscribes_in_both_processes_hear_nothing_of_anothers_stream(
    user, stranger, session, web_process, mock_provider
):
    other = web_process()
    intruder_session = await sync_to_async(session_of)(stranger)
    mock_provider.behaviour.tokens_per_second = 200
    async with (
        chat_socket(other, session) as owner,
        chat_socket(other, intruder_session) as there,
    ):
        await owner.send(json.dumps(send_frame("echo: the first secret")))
        first = await receive_until(owner, "final")
        cid, parent = first[0]["conversation_id"], first[-1]["message"]["id"]
        subscribe = {"type": "subscribe", "conversation_id": cid}
        here = await connect(stranger)

        async def flood_there() -> list[dict]:
            for _ in range(SUBSCRIBES):
                await there.send(json.dumps(subscribe))
            heard = []
            while sum(f["type"] == "error" for f in heard) < SUBSCRIBES:
                heard.append(json.loads(await asyncio.wait_for(there.recv(), 15)))
            return heard

        async def flood_here() -> list[dict]:
            for _ in range(SUBSCRIBES):
                await here.send_json_to(subscribe)
            heard = []
            while sum(f["type"] == "error" for f in heard) < SUBSCRIBES:
                heard.append(await here.receive_json_from(timeout=15))
            return heard

        floods = asyncio.gather(flood_there(), flood_here())
        for turn in range(3):  # the generations run in the other process
            follow_up = send_frame(f"echo: secret {turn} {WORDS}", conversation_id=cid)
            await owner.send(json.dumps({**follow_up, "parent_id": parent}))
            parent = (await receive_until(owner, "final"))[-1]["message"]["id"]
        heard_there, heard_here = await floods
    assert {(f["type"], f.get("code")) for f in heard_there} == {("error", "not_found")}
    assert {(f["type"], f.get("code")) for f in heard_here} == {("error", "not_found")}
    assert await here.receive_nothing(timeout=0.3)
    await here.disconnect()


async def test_sockets_of_another_process_close_when_their_session_ends(
    web_process, django_user_model
):
    from websockets.exceptions import ConnectionClosed

    from accounts import bans
    from tests.chatapp.test_watchdog import ENDINGS

    other = web_process()

    async def opened(email: str):
        create = django_user_model.objects.create_user
        someone = await sync_to_async(create)(email=email, password="pw-x-12")
        key = await sync_to_async(session_of)(someone)
        socket = await chat_socket(other, key)
        await socket.send(json.dumps({"type": "ping"}))  # a round trip: the socket is watched
        assert json.loads(await asyncio.wait_for(socket.recv(), 15))["code"] == "bad_frame"
        return someone, key, socket

    for end in ENDINGS:
        someone, key, socket = await opened(f"{end.__name__}@example.com")
        await sync_to_async(end)(someone, key)
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(socket.recv(), 15)
        assert closed.value.rcvd.code == 4401, end.__name__

    someone, _, socket = await opened("banned@example.com")
    await sync_to_async(bans.ban)(someone, None, "test")
    refused = json.loads(await asyncio.wait_for(socket.recv(), 15))
    assert (refused["type"], refused["code"]) == ("error", "banned")
    with pytest.raises(ConnectionClosed) as closed:
        await asyncio.wait_for(socket.recv(), 15)
    assert closed.value.rcvd.code == 4403
