"""ChatConsumer: protocol in, protocol out (docs/protocol.md). No business logic here.

Each client frame is validated, then handed to one engine call with plain
arguments (chatapp.engine.turns); its one `Refusal` becomes an `error` frame here; group events
are relayed to the socket through `CatchUp`, which keeps a subscriber's
catch-up free of overlap and gaps. Frames of this process arrive by
`fanout.hub` (`relay`), frames of other processes by the channel layer
(`chat_frame`); `_order` keeps them in the order CatchUp hands them out.

A socket lives as long as the session it opened with: the process's
watchdog closes it once the session ends (4401; 4403 after the ban frame),
and every client frame re-checks the session before it starts anything.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import replace
from typing import Any

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.db import DatabaseError
from django.http import Http404

from accounts import bans, sessions
from accounts.models import Ban
from chatapp import metrics
from chatapp.conf import dbthreads
from chatapp.engine import admission, events, frames, turns
from chatapp.engine.catchup import CatchUp
from chatapp.engine.hub import hub
from chatapp.engine.refusal import NOT_SAVED, Refusal
from chatapp.protocol import Edit, ProtocolError, Regenerate, Send, error_frame, parse_client_frame
from chatapp.watchdog import check, watchdog

NOT_SIGNED_IN = 4401
FORBIDDEN = 4403  # a banned user or address
log = logging.getLogger(__name__)
SNAPSHOT_TIMEOUT = 2.0  # seconds to wait for a generation's snapshot before reading the database
TURNS = {"send", "regenerate", "edit"}  # the frames that start a turn


class ChatConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        events.remember_loop()
        self.user = self.scope.get("user")
        self.client = admission.client_of(self.scope)
        self.watching: str | None = None
        self.catchup = CatchUp()
        self._order = asyncio.Lock()
        self._layer_ops: Awaitable[None] = _done()  # the channel layer's joins and leaves, in order
        self._timeout: asyncio.Future | None = None
        self.ended = False  # the session ended: nothing goes out or is served any more
        self.holder: sessions.Holder | None = None
        await self.accept()
        self.holder = await dbthreads.run(_holder, self.scope, self.client.ip)
        if self.holder is None:
            await self._end(NOT_SIGNED_IN)
            return
        self.client = replace(self.client, session=self.holder)  # a turn checks it (engine)
        if not await self._still_signed_in():  # ended since (the session's age, a ban)
            return
        await self._join(events.user_group(self.user.pk))
        watchdog().watch(self)

    async def disconnect(self, code: int) -> None:
        await self._leave_all()
        if self._timeout is not None:
            self._timeout.cancel()

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if self.ended:
            return
        try:
            frame = parse_client_frame(content, settings.CHAT_MAX_MESSAGE_CHARS)
        except ProtocolError as refused:
            await self.send_json(error_frame(refused))
            return
        # Every frame starts work: check the session now. A turn's frame has it checked in
        # the turn's first database unit (admission.Client.session), which raises Ended.
        if frame.type not in TURNS and not await self._still_signed_in():
            return
        try:
            await getattr(self, f"on_{frame.type}")(frame)
        except sessions.Ended as over:
            await self.session_ended(over.ban)
        except Refusal as refused:
            metrics.errors.labels("refused", refused.code).inc()
            await self.send_json(
                frames.error(refused.code, refused.message, refused.conversation_id)
            )
        except Http404:
            conversation_id = getattr(frame, "conversation_id", None)
            missing = "No such conversation or message."
            await self.send_json(frames.error("not_found", missing, conversation_id))
        except DatabaseError:
            # The database failed the frame's work (a restart, a lock): its transaction
            # saved nothing, and no provider was asked. The user may send again.
            log.exception("a %s frame failed on the database", frame.type)
            metrics.errors.labels("database", "not_saved").inc()
            conversation_id = getattr(frame, "conversation_id", None)
            await self.send_json(frames.error("not_saved", NOT_SAVED, conversation_id))

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        # parse_client_frame decodes the frame itself and names what is wrong with it,
        # a binary frame included (the base class would raise and close the socket).
        await self.receive_json(text_data if text_data is not None else bytes_data)

    async def send_json(self, content: Any, close: bool = False) -> None:
        if not self.ended:
            await super().send_json(content, close)

    async def session_ended(self, ban: Ban | None) -> None:
        """The session is over (the watchdog or a frame's check): close, after the ban frame."""
        if ban is None:
            await self._end(NOT_SIGNED_IN)
            return
        await self.send_json(error_frame(ProtocolError("banned", bans.ban_message(ban.ends_at))))
        await self._end(FORBIDDEN)

    # --- client frames ----------------------------------------------------

    async def on_send(self, frame: Send) -> None:
        ask = turns.Ask(**frame.model_dump(exclude={"type"}))
        await self._start(await turns.send(self.user, self.client, ask))

    async def on_regenerate(self, frame: Regenerate) -> None:
        cid, mid = frame.conversation_id, frame.message_id
        await self._start(await turns.regenerate(self.user, self.client, cid, mid))

    async def on_edit(self, frame: Edit) -> None:
        cid, mid = frame.conversation_id, frame.message_id
        await self._start(await turns.edit(self.user, self.client, cid, mid, frame.text))

    async def on_stop(self, frame: Any) -> None:
        await turns.stop(self.user, frame.conversation_id)

    async def on_subscribe(self, frame: Any) -> None:
        # Ownership first, so that no other user's socket is ever in the group, even
        # for a moment. Then join before looking: a response that starts after the
        # look is announced to the group (its `created` frame), one that started
        # before is found.
        conversation_id = await turns.owned(self.user, frame.conversation_id)
        joined = self._switch(conversation_id)  # this process's frames come from now on
        # Held from the moment of joining, not once the channel layer's part is done:
        # a delta relayed meanwhile would go out before the state frame.
        self.catchup.look()
        await joined
        try:
            streaming = await turns.streaming_response(self.user, conversation_id)
        except Http404:  # deleted in between
            await self._watch(None)
            raise
        found = None if streaming is None else str(streaming)
        async with self._order:
            ready = self.catchup.found(found)
            if found is None:
                ready.insert(0, turns.idle_state(conversation_id))
            for out in ready:
                await self.send_json(out)
        if found is not None:
            await self._ask_snapshot(conversation_id, found)

    # --- group events -----------------------------------------------------

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels closes stale database connections before every handler: a hop to its
        # one database thread per message, which every socket's frames would queue for.
        # This consumer's database work runs on chatapp.conf.dbthreads, whose units
        # tidy their own connections.
        if message["type"] == events.FRAME:
            await self.chat_frame(message)
            return
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def relay(self, frame: dict[str, Any]) -> None:
        """A frame published in this process (fanout.hub)."""
        if frame["type"] != "title" and frame.get("conversation_id") != self.watching:
            return  # a frame of a conversation this socket has left
        async with self._order:
            for out in self.catchup.on_frame(frame):
                await self.send_json(out)

    async def chat_frame(self, event: dict[str, Any]) -> None:
        """A frame published in another process (the channel layer)."""
        if not events.from_elsewhere(event):
            return  # this process's own: the hub delivered it already
        frame = event["frame"]
        await self.relay(frame)
        if (
            frame["type"] == "created"
            and frame["conversation_id"] == self.watching
            and self.catchup.waiting_for != frame["response_id"]
        ):
            # The generation runs in another process and sends its deltas here only
            # once it hears of this socket: ask it for the text so far.
            await self._catch_up(frame["conversation_id"], frame["response_id"])

    async def chat_snapshot(self, event: dict[str, Any]) -> None:
        async with self._order:
            for out in self.catchup.on_state(event["frame"]):
                await self.send_json(out)

    # --- helpers ----------------------------------------------------------

    async def _still_signed_in(self) -> bool:
        over, ban = await check(self.holder)
        if over:
            await self.session_ended(ban)
        return not over

    async def _end(self, code: int) -> None:
        await self._leave_all()
        await self.close(code=code)

    async def _leave_all(self) -> None:
        self.ended = True
        watchdog().forget(self)
        if self.holder is not None:
            await self._leave(events.user_group(self.user.pk))
        await self._watch(None)

    async def _start(self, started: turns.Started) -> None:
        # This process's frames reach the socket through the hub, joined at once; the
        # channel layer's part (other processes' frames) is awaited once the turn runs.
        elsewhere = self._switch(str(started.turn.conversation.id))
        started.begin()
        await elsewhere

    async def _watch(self, conversation_id: str | None) -> None:
        """Watch one of the user's conversations (its ownership checked), or none.

        The group is named with this socket's user (events.py): a conversation of
        anyone else is a group that nobody publishes to.
        """
        await self._switch(conversation_id)

    def _switch(self, conversation_id: str | None) -> Awaitable[None]:
        """Watch `conversation_id` in this process now (the hub); the returned awaitable
        does the channel layer's part, after any part still pending (in order)."""
        old = self.watching
        if old == conversation_id:
            return self._layer_ops
        self.watching, self.catchup = conversation_id, CatchUp()
        leave = events.conversation_group(self.user.pk, old) if old is not None else None
        join = None
        if conversation_id is not None:
            join = events.conversation_group(self.user.pk, conversation_id)
        if leave:
            hub.leave(leave, self)
        if join:
            hub.join(join, self)
        self._layer_ops = asyncio.ensure_future(self._regroup(self._layer_ops, leave, join))
        return self._layer_ops

    async def _regroup(self, before: Awaitable[None], leave: str | None, join: str | None) -> None:
        await asyncio.gather(before, return_exceptions=True)  # its failure was its awaiter's
        if leave:
            await self.channel_layer.group_discard(leave, self.channel_name)
        if join:
            await self.channel_layer.group_add(join, self.channel_name)

    async def _join(self, group: str) -> None:
        await self.channel_layer.group_add(group, self.channel_name)
        hub.join(group, self)

    async def _leave(self, group: str) -> None:
        hub.leave(group, self)
        await self.channel_layer.group_discard(group, self.channel_name)

    async def _catch_up(self, conversation_id: Any, message_id: Any) -> None:
        """Hold the response's deltas until its generation says what was sent before them."""
        self.catchup.begin(str(message_id))
        await self._ask_snapshot(conversation_id, message_id)

    async def _ask_snapshot(self, conversation_id: Any, message_id: Any) -> None:
        await events.request_snapshot(self.user.pk, conversation_id, self.channel_name)
        if self._timeout is not None:
            self._timeout.cancel()
        self._timeout = asyncio.ensure_future(self._snapshot_timeout(message_id))

    async def _snapshot_timeout(self, message_id: Any) -> None:
        """The generation did not answer (it ended, or its process died): use the database."""
        await asyncio.sleep(SNAPSHOT_TIMEOUT)
        if self.catchup.waiting_for != str(message_id):
            return
        state = await dbthreads.run(turns.saved_state, self.user, message_id)
        async with self._order:
            for out in self.catchup.on_state(state):
                await self.send_json(out)


def _done() -> asyncio.Future[None]:
    done = asyncio.get_running_loop().create_future()
    done.set_result(None)
    return done


def _holder(scope: dict[str, Any], ip: str | None) -> sessions.Holder | None:
    """The session the socket is held to (None when not signed in); may read the database."""
    session = scope.get("session")
    return None if session is None else sessions.holder_of(session, scope.get("user"), ip)
