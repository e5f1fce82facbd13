"""The chat actions the socket calls: start a turn, stop it, catch up on it.

Async wrappers over the synchronous domain (`turns`, `providers`, `access`):
validate and authorise, let the guards and moderation judge (`gate`), save,
then hand the turn to `generation`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from channels.db import database_sync_to_async

from accounts.guards import Admission
from chatapp import access, metrics
from chatapp.engine import admission, events, generation, records, request
from chatapp.models import Message
from chatapp.protocol import Edit, Regenerate, Send, State


@dataclass(frozen=True)
class Started:
    """A saved turn, ready to run once the socket has joined the conversation's group."""

    turn: records.Turn
    user: Any
    admission: Admission
    received_at: float  # time.monotonic() when the turn's frame arrived (metrics)

    def begin(self) -> None:
        prepare = partial(request.plan, self.turn, self.user)
        generation.start(self.turn, prepare, self.admission, self.received_at)


async def send(user, client: admission.Client, frame: Send) -> Started:
    received_at = time.monotonic()
    cid = frame.conversation_id
    frame, spec = admission.on_spec(frame)
    endpoint = await database_sync_to_async(request.check)(user, frame.endpoint, cid)
    params = admission.spec_params(spec, frame.params)
    frame = frame.model_copy(update={"params": request.user_params(endpoint, params, cid)})
    admitted = await admission.admit(
        user,
        client,
        endpoint=frame.endpoint,
        model=frame.model,
        text=frame.text,
        conversation_id=frame.conversation_id,
        leaf_id=frame.parent_id,
        temporary=frame.temporary and frame.conversation_id is None,
    )
    return await _save(partial(records.send, user, frame), user, admitted, "send", received_at)


async def regenerate(user, client: admission.Client, frame: Regenerate) -> Started:
    received_at = time.monotonic()
    # The prompt ends at the user message answered again: nothing new is added to it.
    admitted = await _admit_again(user, client, frame.conversation_id, frame.message_id, None)
    save = partial(records.regenerate, user, frame)
    return await _save(save, user, admitted, "regenerate", received_at)


async def edit(user, client: admission.Client, frame: Edit) -> Started:
    received_at = time.monotonic()
    admitted = await _admit_again(user, client, frame.conversation_id, frame.message_id, frame.text)
    return await _save(partial(records.edit, user, frame), user, admitted, "edit", received_at)


async def _admit_again(
    user, client: admission.Client, conversation_id, message_id, text: str | None
) -> Admission:
    """regenerate and edit use the conversation's endpoint and model: still offered?
    Their prompt is the branch to `message_id`, or to its parent when `text` replaces it."""
    conversation, message = await database_sync_to_async(_offered_conversation)(
        user, conversation_id, message_id
    )
    return await admission.admit(
        user,
        client,
        endpoint=conversation.endpoint,
        model=conversation.model,
        text=text,
        conversation_id=conversation.id,
        leaf_id=message.id if text is None else message.parent_id,
    )


def _offered_conversation(user, conversation_id, message_id) -> tuple[Any, Message]:
    """The user's conversation and message, once its endpoint is checked to be still
    offered to them and its stored parameters still allowed there."""
    conversation = access.get_conversation_for(user, conversation_id)
    message = access.get_message_for(user, conversation, message_id)
    endpoint = request.check(user, conversation.endpoint, conversation.id)
    request.user_params(endpoint, conversation.parameters or {}, conversation.id)
    return conversation, message


async def _save(
    save: Callable[[], records.Turn], user, admission: Admission, kind: str, received_at: float
) -> Started:
    try:
        started = Started(await database_sync_to_async(save)(), user, admission, received_at)
    except BaseException:
        admission.release()
        raise
    metrics.turns.labels(kind).inc()
    return started


async def owned(user, conversation_id) -> str:
    """The id of the user's conversation (404 for anyone else's), for a socket to watch."""
    conversation = await database_sync_to_async(access.get_conversation_for)(user, conversation_id)
    return str(conversation.id)


async def stop(user, conversation_id) -> None:
    """Stop the conversation's response, in whichever web process runs it."""
    await database_sync_to_async(access.get_conversation_for)(user, conversation_id)
    await events.request_stop(user.pk, conversation_id)


async def streaming_response(user, conversation_id) -> Any:
    """The id of the response streaming in the user's conversation, or None."""

    def find() -> Any:
        conversation = access.get_conversation_for(user, conversation_id)
        streaming = conversation.messages.filter(state=Message.State.STREAMING)
        return streaming.values_list("id", flat=True).first()

    return await database_sync_to_async(find)()


def idle_state(conversation_id) -> dict[str, Any]:
    return State(conversation_id=conversation_id, message_id=None, streaming=False).dump()


def saved_state(user, message_id) -> dict[str, Any]:
    """A response's state as last saved (when its generation cannot be asked)."""
    message = Message.objects.get(pk=message_id, conversation__owner=user)
    return State(
        conversation_id=message.conversation_id,
        message_id=message.id,
        text=message.text,
        reasoning=message.reasoning,
        streaming=message.state == Message.State.STREAMING,
    ).dump()
