"""The actions an edge calls: start a turn, stop it, catch up on it.

Plain arguments in (`Ask` for a new message, ids for the rest), a `Started` turn
out, or one `Refusal` (chatapp.engine.refusal), or Http404 for a conversation or
message that is not the user's. Nothing here knows of sockets: the chat socket
and an HTTP API drive the same calls. An edge starts a turn in three steps:
`started = await send(...)`, join the conversation's group
(`events.conversation_group(user.pk, started.turn.conversation.id)`, through
`hub.join` in this process) so that no event is missed, then `started.begin()`;
`stop(user, conversation_id)` ends it from any process.

Async wrappers over the synchronous domain (`records`, `request`, `access`):
validate and authorise, let the guards and moderation judge (`admission`),
save, then hand the turn to `generation`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from channels.db import database_sync_to_async

from accounts.guards import Admission
from chatapp import access, metrics
from chatapp.engine import admission, events, frames, generation, records, request
from chatapp.engine.records import Ask
from chatapp.files import attachments
from chatapp.models import Message


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


async def send(user, client: admission.Client, ask: Ask) -> Started:
    """A new message (`ask`): admitted, saved with its response placeholder, ready to run."""
    received_at = time.monotonic()
    cid = ask.conversation_id
    ask, spec = admission.on_spec(ask)
    admission.check_web_search(ask)
    endpoint = await database_sync_to_async(request.check)(user, ask.endpoint, cid)
    params = admission.spec_params(spec, ask.params)
    ask = replace(ask, params=request.user_params(endpoint, params, cid))
    files = await database_sync_to_async(attachments.for_send)(
        user, ask.attachments, ask.endpoint, ask.model, cid
    )
    admitted = await admission.admit(
        user,
        client,
        endpoint=ask.endpoint,
        model=ask.model,
        text=ask.text,
        conversation_id=ask.conversation_id,
        leaf_id=ask.parent_id,
        temporary=ask.temporary and ask.conversation_id is None,
        instructions=ask.instructions,
        project=ask.project if ask.conversation_id is None else None,
        prompt=ask.prompt.messages if ask.prompt and ask.conversation_id is None else (),
        files=files,
    )
    return await _save(partial(records.send, user, ask), user, admitted, "send", received_at)


async def regenerate(user, client: admission.Client, conversation_id, message_id) -> Started:
    """A new answer to the user message `message_id`, beside the ones it has."""
    received_at = time.monotonic()
    # The prompt ends at the user message answered again: nothing new is added to it.
    admitted = await _admit_again(user, client, conversation_id, message_id, None)
    save = partial(records.regenerate, user, conversation_id, message_id)
    return await _save(save, user, admitted, "regenerate", received_at)


async def edit(user, client: admission.Client, conversation_id, message_id, text: str) -> Started:
    """`text` beside the user message `message_id` (a new branch), and its answer."""
    received_at = time.monotonic()
    admitted = await _admit_again(user, client, conversation_id, message_id, text)
    save = partial(records.edit, user, conversation_id, message_id, text)
    return await _save(save, user, admitted, "edit", received_at)


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
    return frames.state(conversation_id, None, streaming=False)


def saved_state(user, message_id) -> dict[str, Any]:
    """A response's state as last saved (when its generation cannot be asked)."""
    message = Message.objects.get(pk=message_id, conversation__owner=user)
    streaming = message.state == Message.State.STREAMING
    steps = [frames.step_info(step) for step in message.steps.all()]
    return frames.state(
        message.conversation_id,
        message.id,
        message.text,
        message.reasoning,
        streaming=streaming,
        steps=steps,
    )
