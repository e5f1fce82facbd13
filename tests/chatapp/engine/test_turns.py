"""A whole turn through the engine's public functions, with no socket and no protocol
frame: plain arguments in, the published events collected as any edge would (an HTTP
API included). Send → created, deltas, final; stop; a refusal; a stranger's 404."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.http import Http404
from prometheus_client import REGISTRY

from chatapp.engine import admission, events, generation, turns
from chatapp.engine.hub import hub
from chatapp.engine.refusal import Refusal
from chatapp.models import Message
from tests.chatapp.conftest import ENDPOINT, MODEL, Refusing, settle
from tests.conftest import require_service

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_layer")]
CLIENT = admission.Client("203.0.113.5", None)  # no User-Agent: not a browser-only edge
LONG = " ".join(f"word{i}" for i in range(60))


class Collector:
    """What an edge holds to watch a conversation: the hub's receiver."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.arrived = asyncio.Condition()

    async def relay(self, frame: dict[str, Any]) -> None:
        async with self.arrived:
            self.events.append(json.loads(json.dumps(frame)))  # JSON-safe, as published
            self.arrived.notify_all()

    async def until(self, kind: str) -> list[dict[str, Any]]:
        async with self.arrived:
            await asyncio.wait_for(
                self.arrived.wait_for(lambda: any(e["type"] == kind for e in self.events)), 10
            )
        return self.events


async def start(user, ask: turns.Ask) -> tuple[turns.Started, Collector]:
    """An edge's three steps: start the turn, watch its conversation, let it run."""
    started = await turns.send(user, CLIENT, ask)
    collector = Collector()
    hub.join(events.conversation_group(user.pk, started.turn.conversation.id), collector)
    started.begin()
    return started, collector


async def test_a_turn_streams_to_its_final_without_a_socket(user, chat_endpoint):
    ask = turns.Ask(text="echo: Hello there, brave new world!", endpoint=ENDPOINT, model=MODEL)
    started, collector = await start(user, ask)
    seen = await collector.until("final")
    await settle()
    kinds = [e["type"] for e in seen]
    assert kinds[0] == "created" and kinds[-1] == "final" and "delta" in kinds
    final = seen[-1]["message"]
    assert final["state"] == "complete" and final["text"] == "Hello there, brave new world!"
    assert "".join(e["text"] for e in seen if e["type"] == "delta") == final["text"]
    assert seen[0]["response_id"] == final["id"] == str(started.turn.response.id)
    saved = await Message.objects.aget(pk=final["id"])
    assert (saved.state, saved.text) == ("complete", final["text"])


async def test_a_new_chats_created_frame_stays_in_this_process(user, chat_endpoint):
    """Its group has no socket in another process (the turn made its id; a later one
    catches up): a continued conversation's `created` goes through the channel layer."""
    first = turns.Ask(text="echo: one", endpoint=ENDPOINT, model=MODEL)
    heard, seen = await layer_hears(user, first)
    assert [e["frame"]["type"] for e in heard] == ["final"]
    cid, parent = seen[0]["conversation_id"], seen[-1]["message"]["id"]
    continued = turns.Ask(
        text="echo: two", endpoint=ENDPOINT, model=MODEL, conversation_id=cid, parent_id=parent
    )
    heard, seen = await layer_hears(user, continued)
    assert [e["frame"]["type"] for e in heard] == ["created", "final"]
    assert heard[0]["frame"] == seen[0]


async def layer_hears(user, ask: turns.Ask) -> tuple[list[dict[str, Any]], list[dict]]:
    """What a channel of the turn's group hears on the layer, and the frames the turn
    published in this process."""
    started = await turns.send(user, CLIENT, ask)
    group = events.conversation_group(user.pk, started.turn.conversation.id)
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(group, channel)
    collector = Collector()
    hub.join(group, collector)
    started.begin()
    seen = await collector.until("final")
    await settle()
    heard: list[dict[str, Any]] = []
    while not heard or heard[-1]["frame"]["type"] != "final":
        heard.append(await asyncio.wait_for(layer.receive(channel), 10))
    return heard, seen


async def test_stop_ends_a_turn_without_a_socket(user, chat_endpoint, mock_provider):
    mock_provider.behaviour.tokens_per_second = 40
    ask = turns.Ask(text=f"echo: {LONG}", endpoint=ENDPOINT, model=MODEL)
    started, collector = await start(user, ask)
    await collector.until("delta")
    await turns.stop(user, started.turn.conversation.id)
    final = (await collector.until("final"))[-1]["message"]
    await settle()
    assert final["state"] == "aborted" and 0 < len(final["text"]) < len(LONG)


@pytest.fixture
def refused_saves():
    """The database refuses to end a response (a save whose state is not `streaming`)."""
    with Refusing("UPDATE", "chatapp_message", "NEW.state <> 'streaming'") as refusing:
        yield refusing


async def test_a_final_save_the_database_refuses_still_ends_the_stream(
    user, chat_endpoint, refused_saves, caplog
):
    labels = {"stage": "database", "kind": "not_saved"}
    before = REGISTRY.get_sample_value("parley_errors_total", labels) or 0
    ask = turns.Ask(text="echo: kept in memory", endpoint=ENDPOINT, model=MODEL)
    started, collector = await start(user, ask)
    seen = await collector.until("error")
    await settle()
    assert REGISTRY.get_sample_value("parley_errors_total", labels) == before + 1
    final = [e for e in seen if e["type"] == "final"][-1]["message"]
    assert final["text"] == "kept in memory"  # what the user saw streamed
    assert seen[-1] == {
        "type": "error",
        "conversation_id": str(started.turn.conversation.id),
        "code": "not_saved",
        "message": generation.NOT_SAVED,
    }
    assert caplog.text.count("the final save of response") == 3  # tried three times
    saved = await Message.objects.aget(pk=final["id"])
    assert saved.state == "streaming"  # recovery marks it interrupted, with the heartbeat's text


class FirstFailure(logging.Handler):
    """Set once the generation logs a failed final save (on the event loop's thread)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("the final save of response"):
            self.seen.set()


async def test_a_final_save_is_tried_again_while_the_database_refuses(
    user, chat_endpoint, refused_saves
):
    failure, logger = FirstFailure(), logging.getLogger(generation.__name__)
    logger.addHandler(failure)
    try:
        ask = turns.Ask(text="echo: saved on the next try", endpoint=ENDPOINT, model=MODEL)
        started, collector = await start(user, ask)
        await asyncio.wait_for(failure.seen.wait(), 10)
    finally:
        logger.removeHandler(failure)
    await sync_to_async(refused_saves.lift)()  # the database is back before the next try
    seen = await collector.until("final")
    await settle()
    assert "error" not in [e["type"] for e in seen]
    saved = await Message.objects.aget(pk=started.turn.response.id)
    assert (saved.state, saved.text) == ("complete", "saved on the next try")


async def test_a_refusal_is_the_engines_not_a_frame(user, chat_endpoint):
    with pytest.raises(Refusal) as refused:
        await turns.send(user, CLIENT, turns.Ask(text="hi", endpoint="nowhere", model=MODEL))
    assert refused.value.code == "unknown_endpoint" and refused.value.conversation_id is None
    assert not await Message.objects.aexists()


async def test_a_strangers_conversation_is_404(user, stranger, chat_endpoint):
    ask = turns.Ask(text="echo: mine", endpoint=ENDPOINT, model=MODEL)
    started, collector = await start(user, ask)
    await collector.until("final")
    await settle()
    cid, question = started.turn.conversation.id, started.turn.user_message.id
    theirs = turns.Ask(text="echo: theirs", endpoint=ENDPOINT, model=MODEL, conversation_id=cid)
    for attempt in (
        turns.send(stranger, CLIENT, theirs),
        turns.regenerate(stranger, CLIENT, cid, question),
        turns.edit(stranger, CLIENT, cid, question, "echo: theirs"),
        turns.stop(stranger, cid),
    ):
        with pytest.raises(Http404):
            await attempt
    assert await Message.objects.acount() == 2


async def test_a_turn_fails_over_to_the_next_key_before_its_first_token(
    user, chat_endpoint, mock_provider
):
    # Parley's fail-over extension: a backup key of lower priority (endpoints/failover.py).
    chat_endpoint(api_key="sk-main\n      channels: [{apiKey: sk-backup, priority: -1}]")
    mock_provider.fail_key("sk-main", "429")
    ask = turns.Ask(text="echo: Served by the backup key.", endpoint=ENDPOINT, model=MODEL)
    started, collector = await start(user, ask)
    seen = await collector.until("final")
    await settle()
    assert [e["type"] for e in seen if e["type"] == "error"] == []
    assert seen[-1]["message"]["text"] == "Served by the backup key."
    assert [r.api_key for r in mock_provider.requests] == ["sk-main", "sk-backup"]


async def test_a_turn_whose_every_key_fails_ends_with_one_error_naming_the_endpoint(
    user, chat_endpoint, mock_provider
):
    chat_endpoint(api_key="[sk-one, sk-two]")
    mock_provider.fail("500")
    ask = turns.Ask(text="echo: never", endpoint=ENDPOINT, model=MODEL)
    started, collector = await start(user, ask)
    seen = await collector.until("final")
    await settle()
    final = next(e for e in seen if e["type"] == "final")["message"]
    assert final["state"] == "error"
    assert len(mock_provider.requests) == 2
    assert f"Every key tried for endpoint {ENDPOINT} failed" in str(seen)


async def test_a_turn_hands_every_pooled_connection_back(user, chat_endpoint):
    """PostgreSQL's default is psycopg's pool (DATABASE_POOL_SIZE 8): a connection a turn's
    database units kept would be lost to it, and after a few turns the pool would run dry (a
    unit then waits 30 s for one). Two turns later, as many are out as before them."""
    from django.db import connections

    pool = getattr(connections["default"], "pool", None)
    if pool is None:  # SQLite has none; CI runs on PostgreSQL (REQUIRE_SERVICES: a failure)
        require_service("PostgreSQL's connection pool", "the database is not PostgreSQL")

    def out() -> int:
        stats = pool.get_stats()
        assert stats.get("requests_waiting", 0) == 0
        return stats["pool_size"] - stats["pool_available"]

    before = out()
    for text in ("echo: one", "echo: two"):
        _started, collector = await start(
            user, turns.Ask(text=text, endpoint=ENDPOINT, model=MODEL)
        )
        await collector.until("final")
        await settle()
    assert out() == before
