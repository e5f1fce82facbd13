"""The chat actions the socket calls: start a turn, stop it, catch up on it.

Async wrappers over the synchronous domain (`turns`, `providers`, `access`):
validate and authorise, save, then hand the turn to `generation`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from channels.db import database_sync_to_async

from chatapp import access, events, generation, providers, turns
from chatapp.models import Message
from chatapp.protocol import Edit, Regenerate, Send, State


@dataclass(frozen=True)
class Started:
    """A saved turn, ready to run once the socket has joined the conversation's group."""

    turn: turns.Turn
    user: Any

    def begin(self) -> None:
        generation.start(self.turn, partial(providers.plan, self.turn, self.user))


async def send(user, frame: Send) -> Started:
    await providers.check(frame.endpoint, frame.model, frame.conversation_id)
    return Started(await database_sync_to_async(turns.send)(user, frame), user)


async def regenerate(user, frame: Regenerate) -> Started:
    await _check_conversation_endpoint(user, frame.conversation_id)
    return Started(await database_sync_to_async(turns.regenerate)(user, frame), user)


async def edit(user, frame: Edit) -> Started:
    await _check_conversation_endpoint(user, frame.conversation_id)
    return Started(await database_sync_to_async(turns.edit)(user, frame), user)


async def _check_conversation_endpoint(user, conversation_id) -> None:
    """regenerate and edit use the conversation's endpoint and model: still offered?"""
    conversation = await database_sync_to_async(access.get_conversation_for)(user, conversation_id)
    await providers.check(conversation.endpoint, conversation.model, conversation.id)


async def stop(user, conversation_id) -> None:
    """Stop the conversation's response, in whichever web process runs it."""
    await database_sync_to_async(access.get_conversation_for)(user, conversation_id)
    await events.request_stop(conversation_id)


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
