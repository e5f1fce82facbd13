"""A `/v1` call run as an engine turn: the same admission, request and billing as a chat
turn (chatapp.engine.turns), its events read from the hub as the chat socket reads them.

`run(user, key, client, call)` yields `Delta`s as the engine publishes them, then
one `Outcome`; an engine refusal or bad parameter raises `ApiError` before anything
is sent. The turn's conversation is saved only when the key keeps conversations
(records.Ask.unsaved); its usage and cost are billed either way, with the key on its
transactions. When the caller goes away mid-stream (the generator is closed or
cancelled), the turn is stopped: the upstream request is cancelled and the part
used is billed (chatapp.engine.generation). RELAY_TIMEOUT bounds the whole call.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

from django.conf import settings

from accounts.models import ApiKey
from chatapp.engine import admission, events, turns
from chatapp.engine.hub import hub
from chatapp.engine.records import Ask, ClientPrompt
from chatapp.engine.refusal import Refusal
from chatapp.gateway import catalog, errors, images
from chatapp.gateway.call import Call, Delta, Outcome
from chatapp.gateway.errors import ApiError
from endpoints import config, paramsets
from endpoints.adapters.base import ToolCall

ERROR_FRAME_WAIT = 10  # seconds between a failed turn's final frame and its error frame


class Inbox:
    """The hub's receiver for one call: frames queued for the relay to read."""

    def __init__(self) -> None:
        self.frames: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def relay(self, frame: dict[str, Any]) -> None:
        self.frames.put_nowait(frame)


def check_params(endpoint_name: str, params: dict[str, Any]) -> None:
    """Refuse a parameter outside the endpoint's allow-list (endpoints.paramsets), naming it;
    the values are checked by the engine (endpoints.userparams.clean)."""
    endpoint = config.current().get(endpoint_name)
    if endpoint is None:
        return  # the engine refuses the endpoint itself
    allowed = {definition.key for definition in paramsets.for_endpoint(endpoint)}
    for key in params:
        if paramsets.canonical(key) not in allowed:
            message = f"Unrecognized request argument supplied: {key}"
            raise errors.bad_request(message, key, "unsupported_parameter")


async def start(user, key: ApiKey, client: admission.Client, call: Call) -> turns.Started:
    """Admit and save the turn (ApiError when refused); not running yet."""
    chosen = await catalog.resolve(user, key, call.model)
    check_params(chosen.endpoint, call.params)
    images.check(call.images, chosen.endpoint, chosen.model)
    ask = Ask(
        text=call.text,
        endpoint=chosen.endpoint,
        model=chosen.model,
        params=call.params,
        instructions=call.instructions,
        history=call.history,
        unsaved=not key.keep_conversations,
        api_key=key.pk,
        prompt=ClientPrompt(call.messages, call.tools, call.tool_choice) if call.messages else None,
    )
    try:
        return await turns.send(user, client, ask)
    except Refusal as refusal:
        raise errors.from_refusal(refusal) from refusal


async def run(started: turns.Started) -> AsyncIterator[Delta | Outcome]:
    """Run a started turn; its deltas, then its outcome. Closing this early stops the turn."""
    user, conversation = started.user, started.turn.conversation
    inbox = Inbox()
    group = events.conversation_group(user.pk, conversation.id)
    hub.join(group, inbox)
    started.begin()
    ended = False
    deadline = time.monotonic() + settings.RELAY_TIMEOUT if settings.RELAY_TIMEOUT else None
    try:
        while True:
            frame = await _next(inbox, deadline)
            if frame["type"] == "delta" and (frame["text"] or frame["reasoning"]):
                yield Delta(frame["text"], frame["reasoning"])
            elif frame["type"] == "final":
                ended = True
                yield await _outcome(frame["message"], inbox)
                return
    finally:
        hub.leave(group, inbox)
        if not ended:  # the client went away, or the relay timed out: stop the upstream call
            with contextlib.suppress(Exception):
                await asyncio.shield(turns.stop(user, conversation.id))


async def _next(inbox: Inbox, deadline: float | None) -> dict[str, Any]:
    if deadline is None:
        return await inbox.frames.get()
    try:
        return await asyncio.wait_for(inbox.frames.get(), max(0.0, deadline - time.monotonic()))
    except TimeoutError:
        message = f"The request took longer than RELAY_TIMEOUT ({settings.RELAY_TIMEOUT:g} s)."
        raise ApiError(504, "timeout_error", message, "relay_timeout") from None


async def _outcome(message: dict[str, Any], inbox: Inbox) -> Outcome:
    usage = message["usage"]
    error = None
    if message["state"] == "error":
        code = "unavailable"
        with contextlib.suppress(TimeoutError):
            while (frame := await asyncio.wait_for(inbox.frames.get(), ERROR_FRAME_WAIT))[
                "type"
            ] != "error":
                pass
            code = frame["code"]
        error = errors.from_provider(code, message["error"] or "The provider failed.")
    return Outcome(
        id=message["id"],
        text=message["text"],
        reasoning=message["reasoning"],
        prompt_tokens=usage["prompt_tokens"] or 0,
        completion_tokens=usage["completion_tokens"] or 0,
        error=error,
        finish_reason=message.get("finish_reason") or "stop",
        tool_calls=tuple(
            ToolCall(c["id"], c["name"], c["arguments"]) for c in message["tool_calls"]
        ),
    )
