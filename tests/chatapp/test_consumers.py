"""The chat socket end to end: the real consumer, generation and mock provider over HTTP."""

from __future__ import annotations

import asyncio
import json

import pytest
from asgiref.sync import sync_to_async
from channels.layers import InMemoryChannelLayer
from hypothesis import given
from hypothesis import strategies as st

from chatapp.models import Conversation, Message
from tests.chatapp.conftest import (
    ENDPOINT,
    MODEL,
    Refusing,
    connect,
    frames_until,
    joined,
    open_socket,
    send_frame,
    settle,
)
from tests.chatapp.strategies import FUZZ, any_text, deep, dumps, hostile_text, ids, json_values

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_layer")]

LONG = " ".join(f"word{i}" for i in range(60))


async def get_message(pk) -> Message:
    return await Message.objects.aget(pk=pk)


async def test_send_streams_created_deltas_final_and_saves(user, chat_endpoint, mock_provider):
    socket = await connect(user)
    await socket.send_json_to(send_frame("echo: Hello there, brave new world!"))
    frames = await frames_until(socket, "final")
    created, final = frames[0], frames[-1]
    assert created["type"] == "created"
    assert created["user_message"]["text"] == "echo: Hello there, brave new world!"
    response_id = created["response_id"]
    deltas = [f for f in frames if f["type"] == "delta"]
    assert len(deltas) >= 2
    assert {d["message_id"] for d in deltas} == {response_id} == {final["message"]["id"]}
    assert joined(frames) == final["message"]["text"] == "Hello there, brave new world!"
    assert final["message"]["state"] == "complete"
    assert final["message"]["usage"]["completion_tokens"] > 0
    saved = await get_message(response_id)
    assert (saved.text, saved.state) == ("Hello there, brave new world!", "complete")
    assert saved.prompt_tokens == final["message"]["usage"]["prompt_tokens"] > 0
    body = mock_provider.last_request.body
    assert body["model"] == "mock-small" and body["stream"] is True
    assert body["messages"][-1] == {
        "role": "user",
        "content": "echo: Hello there, brave new world!",
    }
    await socket.disconnect()


async def test_follow_up_sends_the_branch_as_context(user, chat_endpoint, mock_provider):
    socket = await connect(user)
    await socket.send_json_to(send_frame("echo: one"))
    first = await frames_until(socket, "final")
    conversation_id = first[0]["conversation_id"]
    await socket.send_json_to(
        send_frame(
            "echo: two", conversation_id=conversation_id, parent_id=first[-1]["message"]["id"]
        )
    )
    second = await frames_until(socket, "final")
    assert second[0]["user_message"]["parent_id"] == first[-1]["message"]["id"]
    contents = [m["content"] for m in mock_provider.last_request.body["messages"]]
    assert contents == ["echo: one", "one", "echo: two"]
    await socket.disconnect()


async def test_instructions_reach_the_provider_as_the_system_prompt(
    user, chat_endpoint, mock_provider
):
    socket = await connect(user)
    await socket.send_json_to(send_frame("echo: one", instructions="Answer in French."))
    first = await frames_until(socket, "final")
    sent = mock_provider.last_request.body["messages"]
    assert sent[0] == {"role": "system", "content": "Answer in French."}
    cid = first[0]["conversation_id"]
    await socket.send_json_to(
        send_frame("echo: two", conversation_id=cid, parent_id=first[-1]["message"]["id"])
    )
    await frames_until(socket, "final")  # no instructions in the frame: they are kept
    assert mock_provider.last_request.body["messages"][0]["content"] == "Answer in French."
    await socket.disconnect()


async def test_regenerate_and_edit_make_siblings(user, chat_endpoint, mock_provider):
    socket = await connect(user)
    await socket.send_json_to(send_frame("echo: first"))
    first = await frames_until(socket, "final")
    cid, question = first[0]["conversation_id"], first[0]["user_message"]["id"]

    await socket.send_json_to(
        {"type": "regenerate", "conversation_id": cid, "message_id": question}
    )
    again = await frames_until(socket, "final")
    assert again[0]["user_message"]["id"] == question
    assert again[-1]["message"]["parent_id"] == question
    assert again[-1]["message"]["id"] != first[-1]["message"]["id"]
    assert again[-1]["message"]["text"] == "first"

    edit = {"type": "edit", "conversation_id": cid, "message_id": question, "text": "echo: edited"}
    await socket.send_json_to(edit)
    edited = await frames_until(socket, "final")
    assert edited[0]["user_message"]["id"] != question
    assert edited[0]["user_message"]["parent_id"] is None  # a sibling of the first question
    assert edited[-1]["message"]["text"] == "edited"
    assert [m["content"] for m in mock_provider.last_request.body["messages"]] == ["echo: edited"]

    roots = await sync_to_async(lambda: list(Message.objects.filter(parent=None)))()
    assert len(roots) == 2
    answers = await Message.objects.filter(parent_id=question).acount()
    assert answers == 2
    await socket.disconnect()


async def test_stop_keeps_the_partial_text_as_aborted(user, chat_endpoint, mock_provider):
    mock_provider.behaviour.tokens_per_second = 40
    socket = await connect(user)
    await socket.send_json_to(send_frame(f"echo: {LONG}"))
    frames = await frames_until(socket, "delta")
    await socket.send_json_to({"type": "stop", "conversation_id": frames[0]["conversation_id"]})
    frames += await frames_until(socket, "final")
    final = frames[-1]["message"]
    assert final["state"] == "aborted"
    assert 0 < len(final["text"]) < len(LONG)
    assert joined(frames) == final["text"]
    saved = await get_message(final["id"])
    assert (saved.state, saved.text) == ("aborted", final["text"])
    await socket.disconnect()


async def test_closing_the_socket_does_not_stop_the_generation(user, chat_endpoint, mock_provider):
    mock_provider.behaviour.tokens_per_second = 100
    socket = await connect(user)
    await socket.send_json_to(send_frame(f"echo: {LONG}"))
    frames = await frames_until(socket, "delta")
    await socket.disconnect()
    await settle()
    saved = await get_message(frames[0]["response_id"])
    assert (saved.state, saved.text) == ("complete", LONG)


async def test_a_second_socket_catches_up_without_gap_or_overlap(
    user, chat_endpoint, mock_provider
):
    mock_provider.behaviour.tokens_per_second = 60
    first = await connect(user)
    await first.send_json_to(send_frame(f"echo: {LONG}"))
    started = await frames_until(first, "delta")
    started += await frames_until(first, "delta")
    second = await connect(user)
    await second.send_json_to(
        {"type": "subscribe", "conversation_id": started[0]["conversation_id"]}
    )
    watched = await frames_until(second, "final")
    state = watched[0]
    assert state["type"] == "state" and state["streaming"] is True
    assert state["message_id"] == started[0]["response_id"]
    assert 0 < len(state["text"]) < len(LONG)
    assert state["text"] + joined(watched) == watched[-1]["message"]["text"] == LONG
    everything = started + await frames_until(first, "final")
    assert joined(everything) == LONG
    await first.disconnect()
    await second.disconnect()


class SlowJoinLayer(InMemoryChannelLayer):
    """A channel layer whose group_add takes a while, as a Redis round trip does under load."""

    async def group_add(self, group: str, channel: str) -> None:
        await asyncio.sleep(0.3)
        await super().group_add(group, channel)


async def test_a_subscribe_holds_the_deltas_relayed_while_it_joins(
    user, chat_endpoint, mock_provider, settings
):
    # The socket is in this process's hub at once, and in the channel layer's group only
    # once group_add is back: deltas relayed in between wait for the state frame.
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": f"{__name__}.SlowJoinLayer"}}
    mock_provider.behaviour.tokens_per_second = 60
    first = await connect(user)
    await first.send_json_to(send_frame(f"echo: {LONG}"))
    started = await frames_until(first, "delta")
    second = await connect(user)
    await second.send_json_to(
        {"type": "subscribe", "conversation_id": started[0]["conversation_id"]}
    )
    watched = await frames_until(second, "final")
    assert [frame["type"] for frame in watched[:1]] == ["state"]
    assert watched[0]["text"] + joined(watched) == watched[-1]["message"]["text"] == LONG
    await frames_until(first, "final")
    await first.disconnect()
    await second.disconnect()


async def test_subscribe_to_an_idle_conversation(user, chat_endpoint):
    socket = await connect(user)
    await socket.send_json_to(send_frame("echo: hi"))
    frames = await frames_until(socket, "final")
    await socket.send_json_to(
        {"type": "subscribe", "conversation_id": frames[0]["conversation_id"]}
    )
    state = await socket.receive_json_from(timeout=5)
    assert state == {
        "type": "state", "conversation_id": frames[0]["conversation_id"], "message_id": None,
        "text": "", "reasoning": "", "streaming": False, "steps": [],
    }  # fmt: skip
    await socket.disconnect()


@pytest.mark.parametrize("rate", [1, 25, 100])
async def test_stream_rate_coalesces_deltas(user, chat_endpoint, mock_provider, rate):
    chat_endpoint(stream_rate=rate)
    mock_provider.behaviour.tokens_per_second = 400  # a chunk every 2.5 ms
    text = " ".join(f"w{i}" for i in range(120))
    socket = await connect(user)
    await socket.send_json_to(send_frame(f"echo: {text}"))
    loop = asyncio.get_running_loop()
    stamped = []
    while not stamped or stamped[-1][1]["type"] != "final":
        frame = await socket.receive_json_from(timeout=10)
        stamped.append((loop.time(), frame))
    deltas = [(t, f) for t, f in stamped if f["type"] == "delta"]
    final = stamped[-1][1]["message"]
    assert "".join(f["text"] for _, f in deltas) == final["text"] == text
    gaps = [b[0] - a[0] for a, b in zip(deltas, deltas[1:], strict=False)]
    duration = deltas[-1][0] - deltas[0][0]
    if rate == 1:
        assert len(deltas) >= 60  # nearly every chunk goes out on its own
    else:
        # At most one frame per tick. Arrival times jitter and the first piece and the
        # final drain each may go out within a tick, hence the slack of three frames;
        # tests/chatapp/engine/test_pacing.py checks the strict spacing on the pacer itself.
        assert len(deltas) <= duration * 1000 / rate + 3
        assert sorted(gaps)[len(gaps) // 2] >= rate / 1000 * 0.8
    await socket.disconnect()


async def test_context_is_fitted_to_the_window(user, chat_endpoint, mock_provider):
    chat_endpoint(
        token_config="      tokenConfig: {mock-small: {prompt: 1, completion: 2, context: 120}}"
    )
    socket = await connect(user)
    parent, cid = None, None
    for i in range(6):
        await socket.send_json_to(
            send_frame("echo: " + f"turn{i} " * 8, conversation_id=cid, parent_id=parent)
        )
        frames = await frames_until(socket, "final")
        cid, parent = frames[0]["conversation_id"], frames[-1]["message"]["id"]
        assert frames[-1]["message"]["state"] == "complete"
    sent = mock_provider.last_request.body["messages"]
    assert sent[-1]["content"].startswith("echo: turn5")
    assert 1 <= len(sent) < 11  # older turns dropped, the newest kept
    assert sent[0]["role"] == "user"
    assert float(frames[-1]["message"]["cost"]) > 0  # priced from tokenConfig
    await socket.disconnect()


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        (send_frame("echo: x", endpoint="nope"), "unknown_endpoint"),
        (send_frame("echo: x", model="gpt-99"), "illegal_model"),
        (send_frame("x" * 100_001), "too_long"),
        ({"type": "send", "text": "hi"}, "bad_frame"),
        ({"type": "jump"}, "bad_frame"),
    ],
)
async def test_refused_frames_call_no_provider_and_save_nothing(
    user, chat_endpoint, mock_provider, frame, code
):
    socket = await connect(user)
    await socket.send_json_to(frame)
    error = await socket.receive_json_from(timeout=5)
    assert error["type"] == "error" and error["code"] == code and error["message"]
    assert mock_provider.requests == []
    assert await Conversation.objects.acount() == 0
    await socket.send_json_to(send_frame("echo: still open"))  # the socket stays usable
    assert (await frames_until(socket, "final"))[-1]["message"]["text"] == "still open"
    await socket.disconnect()


async def test_invalid_json_is_an_error_frame(user, chat_endpoint):
    socket = await connect(user)
    await socket.send_to(text_data="{nope")
    error = await socket.receive_json_from(timeout=5)
    assert (error["type"], error["code"]) == ("error", "bad_frame")
    await socket.disconnect()


def nested(depth: int) -> dict:
    value: dict = {}
    for _ in range(depth):
        value = {"a": value}
    return value


@pytest.mark.parametrize(
    "raw",
    [
        b"\x00\xff binary",
        "[" * 100_000 + "]" * 100_000,
        json.dumps(send_frame("echo: \x00")),
        json.dumps(send_frame("echo: \ud800")),
        json.dumps(send_frame("echo: x", params={"temperature": float("nan")})),
        json.dumps(send_frame("echo: x", params={"n": 10**30})),
        json.dumps(send_frame("echo: x", params={"a": nested(40)})),
    ],
)
async def test_crafted_frames_get_an_error_frame_and_the_socket_stays_usable(
    user, chat_endpoint, mock_provider, raw
):
    socket = await connect(user)
    await socket.send_to(**{"bytes_data" if isinstance(raw, bytes) else "text_data": raw})
    error = await socket.receive_json_from(timeout=5)
    assert (error["type"], error["code"]) == ("error", "bad_frame") and error["message"]
    assert await Conversation.objects.acount() == 0
    await socket.send_json_to(send_frame("echo: still open"))
    assert (await frames_until(socket, "final"))[-1]["message"]["text"] == "still open"
    await socket.disconnect()


fuzzed_frames = st.one_of(
    json_values.map(dumps),
    any_text,
    st.binary(max_size=32),
    deep,
    st.fixed_dictionaries(
        {"type": st.sampled_from(["send", "regenerate", "edit", "stop", "subscribe"])},
        optional={
            "conversation_id": ids,
            "parent_id": ids,
            "message_id": ids,
            "text": hostile_text,
            "endpoint": st.sampled_from([ENDPOINT]) | hostile_text,
            "model": st.sampled_from([MODEL, "mock-large"]) | hostile_text,
            "params": json_values,
        },
    ).map(dumps),
).filter(bool)  # the test communicator cannot send an empty frame
ANSWERED = {"error", "final", "state"}  # a frame that ends the server's answer to one frame


async def test_any_frame_gets_an_answer_and_never_kills_the_socket(
    user, chat_endpoint, mock_provider
):
    """Through the real consumer: random text, bytes and JSON, and frames with fuzzed fields."""
    socket = await connect(user)
    loop = asyncio.get_running_loop()

    async def exchange(raw: str | bytes) -> None:
        await socket.send_to(**{"bytes_data" if isinstance(raw, bytes) else "text_data": raw})
        while (await socket.receive_json_from(timeout=10))["type"] not in ANSWERED:
            pass
        await settle()
        while not await socket.receive_nothing(timeout=0.01):
            await socket.receive_json_from()  # what a generation sent after its `final`

    @FUZZ
    @given(fuzzed_frames)
    def answered(raw: str | bytes) -> None:
        asyncio.run_coroutine_threadsafe(exchange(raw), loop).result(timeout=60)

    await asyncio.to_thread(answered)
    await socket.send_json_to(send_frame("echo: still open"))
    assert (await frames_until(socket, "final"))[-1]["message"]["text"] == "still open"
    await socket.disconnect()


async def test_provider_failure_mid_stream_keeps_the_partial_text(
    user, chat_endpoint, mock_provider
):
    mock_provider.fail("disconnect")
    socket = await connect(user)
    await socket.send_json_to(send_frame(f"echo: {LONG}"))
    frames = await frames_until(socket, "error")
    final = next(f for f in frames if f["type"] == "final")["message"]
    error = frames[-1]
    assert final["state"] == "error" and final["error"]
    assert error["conversation_id"] == frames[0]["conversation_id"] and error["message"]
    assert 0 < len(final["text"]) < len(LONG)
    assert joined(frames) == final["text"]
    saved = await get_message(final["id"])
    assert (saved.state, saved.text, saved.error) == ("error", final["text"], final["error"])
    await socket.disconnect()


async def test_a_second_send_while_streaming_is_refused(user, chat_endpoint, mock_provider):
    mock_provider.behaviour.tokens_per_second = 40
    socket = await connect(user)
    await socket.send_json_to(send_frame(f"echo: {LONG}"))
    frames = await frames_until(socket, "created")
    cid = frames[0]["conversation_id"]
    await socket.send_json_to(send_frame("echo: again", conversation_id=cid))
    refused = await frames_until(socket, "error")
    assert refused[-1]["code"] == "busy" and refused[-1]["conversation_id"] == cid
    await socket.send_json_to({"type": "stop", "conversation_id": cid})
    await frames_until(socket, "final")
    assert await Message.objects.filter(conversation_id=cid).acount() == 2
    await socket.disconnect()


async def test_unknown_ids_are_not_found(user, chat_endpoint):
    import uuid

    socket = await connect(user)
    cid = str(uuid.uuid4())
    for frame in (
        send_frame("echo: x", conversation_id=cid),
        send_frame("echo: x", parent_id=cid),
        {"type": "subscribe", "conversation_id": cid},
        {"type": "stop", "conversation_id": cid},
    ):
        await socket.send_json_to(frame)
        error = await socket.receive_json_from(timeout=5)
        assert (error["type"], error["code"]) == ("error", "not_found")
    assert await Conversation.objects.acount() == 0
    await socket.disconnect()


async def test_a_stranger_cannot_touch_anothers_conversation(
    user, stranger, chat_endpoint, mock_provider
):
    mock_provider.behaviour.tokens_per_second = 40
    owner = await connect(user)
    await owner.send_json_to(send_frame(f"echo: {LONG}"))
    frames = await frames_until(owner, "delta")
    cid, question = frames[0]["conversation_id"], frames[0]["user_message"]["id"]
    intruder = await connect(stranger)
    for frame in (
        {"type": "subscribe", "conversation_id": cid},
        {"type": "stop", "conversation_id": cid},
        {"type": "regenerate", "conversation_id": cid, "message_id": question},
        {"type": "edit", "conversation_id": cid, "message_id": question, "text": "x"},
        send_frame("echo: x", conversation_id=cid),
        send_frame("echo: x", parent_id=question),
    ):
        await intruder.send_json_to(frame)
        error = await intruder.receive_json_from(timeout=5)
        assert (error["type"], error["code"]) == ("error", "not_found"), frame
    assert await intruder.receive_nothing(timeout=0.3)  # and it hears none of the stream
    rest = await frames_until(owner, "final")
    assert rest[-1]["message"]["state"] == "complete"  # the stop was ignored
    assert await Message.objects.filter(conversation_id=cid).acount() == 2
    await owner.disconnect()
    await intruder.disconnect()


async def test_an_anonymous_socket_is_closed_with_4401(db):
    socket = await open_socket()
    await socket.connect()
    assert (await socket.receive_output(timeout=5)) == {"type": "websocket.close", "code": 4401}


async def test_a_banned_user_is_closed_with_4403(user):
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import Ban

    socket = await open_socket(user)  # a ban made in the admin site leaves the sessions alone
    await Ban.objects.acreate(user=user, reason="test", ends_at=timezone.now() + timedelta(hours=1))
    await socket.connect()
    refused = await socket.receive_json_from(timeout=5)
    assert (refused["type"], refused["code"]) == ("error", "banned")
    assert "banned until" in refused["message"]
    assert (await socket.receive_output(timeout=5)) == {"type": "websocket.close", "code": 4403}


async def test_a_message_the_database_refuses_is_an_error_and_the_socket_stays(
    user, chat_endpoint, mock_provider
):
    socket = await connect(user)
    async with Refusing("INSERT", "chatapp_conversation"):
        await socket.send_json_to(send_frame("echo: not yet"))
        error = await socket.receive_json_from(timeout=5)
    assert (error["type"], error["code"]) == ("error", "not_saved")
    assert mock_provider.requests == [] and await Conversation.objects.acount() == 0
    await socket.send_json_to(send_frame("echo: now"))  # the database is back: send again
    final = (await frames_until(socket, "final"))[-1]["message"]
    assert (final["state"], final["text"]) == ("complete", "now")
    await socket.disconnect()


async def test_a_non_browser_client_is_refused(user, chat_endpoint, mock_provider):
    socket = await connect(user, headers=[(b"user-agent", b"python-requests/2.32")])
    await socket.send_json_to(send_frame("echo: x"))
    error = await socket.receive_json_from(timeout=5)
    assert (error["type"], error["code"]) == ("error", "non_browser")
    assert mock_provider.requests == [] and await Conversation.objects.acount() == 0
    await socket.disconnect()


@pytest.mark.modes
async def test_a_title_published_from_a_task_thread_reaches_the_socket(user):
    from chatapp.engine import events

    socket = await connect(user)
    await socket.send_json_to({"type": "ping"})  # a round trip: the socket has joined its groups
    assert (await socket.receive_json_from(timeout=5))["code"] == "bad_frame"
    await asyncio.to_thread(events.publish_title, user.pk, "5" * 32, "Trip Plans")
    frame = await socket.receive_json_from(timeout=5)
    assert frame == {
        "type": "title",
        "conversation_id": "55555555-5555-5555-5555-555555555555",
        "title": "Trip Plans",
    }
    await socket.disconnect()


async def test_a_user_provided_key_is_required_then_used(user, chat_endpoint, mock_provider):
    from chatapp import keys
    from endpoints import config

    chat_endpoint(api_key="user_provided")
    socket = await connect(user)
    await socket.send_json_to(send_frame("echo: mine"))
    error = await socket.receive_json_from(timeout=5)
    assert (error["type"], error["code"]) == ("error", "key_required")
    assert mock_provider.requests == [] and await Conversation.objects.acount() == 0

    endpoint = config.current().get("Mock")
    await sync_to_async(keys.save)(user, endpoint, "sk-users-own", "", "12h")
    await socket.send_json_to(send_frame("echo: mine"))
    assert (await frames_until(socket, "final"))[-1]["message"]["text"] == "mine"
    assert mock_provider.last_request.header("authorization") == "Bearer sk-users-own"
    await socket.disconnect()


SUBSCRIBES = 300


async def flood_subscribes(socket, conversation_id: str, count: int = SUBSCRIBES) -> list[dict]:
    """`count` subscribes sent back to back; every frame received until each is answered."""
    for _ in range(count):
        await socket.send_json_to({"type": "subscribe", "conversation_id": conversation_id})
    received = []
    while sum(f["type"] == "error" for f in received) < count:
        received.append(await socket.receive_json_from(timeout=10))
    return received


@pytest.mark.modes
async def test_a_flood_of_subscribes_to_anothers_live_stream_hears_nothing(
    user, stranger, chat_endpoint, mock_provider
):
    mock_provider.behaviour.tokens_per_second = 200
    owner = await connect(user)
    await owner.send_json_to(send_frame(f"echo: {LONG} {LONG} {LONG}"))
    started = await frames_until(owner, "delta")
    cid = started[0]["conversation_id"]
    intruder = await connect(stranger)
    heard = await flood_subscribes(intruder, cid)
    assert {(f["type"], f.get("code")) for f in heard} == {("error", "not_found")}
    await frames_until(owner, "final")
    assert await intruder.receive_nothing(timeout=0.3)
    await owner.disconnect()
    await intruder.disconnect()


async def test_a_generation_hears_only_requests_addressed_with_its_owner(
    user, stranger, chat_endpoint, mock_provider
):
    from channels.layers import get_channel_layer

    from chatapp.engine import events

    mock_provider.behaviour.tokens_per_second = 40
    owner = await connect(user)
    await owner.send_json_to(send_frame(f"echo: {LONG}"))
    cid = (await frames_until(owner, "delta"))[0]["conversation_id"]
    layer = get_channel_layer()
    inbox = await layer.new_channel()
    await events.request_snapshot(stranger.pk, cid, inbox)  # the right id, the wrong owner
    await events.request_stop(stranger.pk, cid)
    rest = await frames_until(owner, "final")
    assert rest[-1]["message"]["state"] == "complete"  # the stop never reached it
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(layer.receive(inbox), 0.5)  # nor the snapshot request
    await owner.disconnect()


@pytest.fixture
def local_ollama(settings, tmp_path, mock_provider):
    """First run: no endpoint configured, Ollama (the mock provider) at OLLAMA_BASE_URL."""
    from endpoints import config, registry

    (tmp_path / "librechat.yaml").write_text("version: 1.3.14\n")
    settings.CONFIG_PATH = str(tmp_path / "librechat.yaml")
    settings.OLLAMA_BASE_URL = mock_provider.url
    config.current.cache_clear()
    registry.current.cache_clear()
    yield
    config.current.cache_clear()
    registry.current.cache_clear()


async def test_first_run_chats_with_the_local_ollama(user, local_ollama, mock_provider, client):
    await sync_to_async(client.force_login)(user)
    page = (await sync_to_async(client.get)("/")).content.decode()
    assert 'data-testid="local-model"' in page and mock_provider.url in page
    assert 'data-testid="no-endpoints"' not in page
    assert '<option value="mock-small" selected>' in page  # the models Ollama lists
    socket = await connect(user)
    await socket.send_json_to(
        send_frame("echo: local hello", endpoint="Ollama", model="mock-large")
    )
    frames = await frames_until(socket, "final")
    assert frames[-1]["message"]["text"] == "local hello"
    assert mock_provider.last_request.path == "/v1/chat/completions"
    assert mock_provider.last_request.body["model"] == "mock-large"
    await socket.disconnect()
