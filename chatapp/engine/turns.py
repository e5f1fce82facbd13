"""The actions an edge calls: start a turn, stop it, catch up on it.

Plain arguments in (`Ask` for a new message, ids for the rest), a `Started` turn
out, or one `Refusal` (chatapp.engine.refusal), or Http404 for a conversation or
message that is not the user's, or accounts.sessions.Ended when the client's session
(`admission.Client.session`, the chat socket's) is over. Nothing here knows of
sockets: the chat socket and an HTTP API drive the same calls. An edge starts a turn in three steps:
`started = await send(...)`, join the conversation's group
(`events.conversation_group(user.pk, started.turn.conversation.id)`, through
`hub.join` in this process) so that no event is missed, then `started.begin()`;
`stop(user, conversation_id)` ends it from any process.

Async wrappers over the synchronous domain (`records`, `request`, `access`):
validate and authorise, let the guards and moderation judge (`admission`),
save, then hand the turn to `generation`. A turn's database work is one unit on
chatapp.conf.dbthreads (two around moderation's wait when it is on): checks,
guards, the user message and the placeholder committed, the request built, so
that the provider is asked as soon as the user message is saved.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, TypeVar

from django.conf import settings

from accounts.guards import Admission
from chatapp import access, metrics
from chatapp.conf import dbthreads
from chatapp.engine import admission, events, frames, generation, records, request, settlement
from chatapp.engine.records import Ask
from chatapp.files import attachments
from chatapp.models import Message

log = logging.getLogger(__name__)
V = TypeVar("V")


@dataclass(frozen=True)
class Started:
    """A saved turn, ready to run once the socket has joined the conversation's group."""

    turn: records.Turn
    user: Any
    admission: Admission
    received_at: float  # time.monotonic() when the turn's frame arrived (metrics)
    plan: generation.Plan | Exception  # built once the turn was saved; the failure if it failed

    def begin(self) -> None:
        generation.start(self.turn, self.plan, self.admission, self.received_at)


async def send(user, client: admission.Client, ask: Ask) -> Started:
    """A new message (`ask`): admitted, saved with its response placeholder, ready to run."""
    received_at = time.monotonic()
    cid = ask.conversation_id
    ask, spec = admission.on_spec(ask)
    admission.check_web_search(ask)
    offered = await admission.offered_models(user, ask.endpoint, ask.model, cid)

    def admit() -> tuple[admission.Entry, Admission, tuple[Ask, list]]:
        admission.check_session(client)
        endpoint = request.check(user, ask.endpoint, cid)
        params = admission.spec_params(spec, ask.params)
        asked = replace(ask, params=request.user_params(endpoint, params, cid))
        files = attachments.for_send(user, asked.attachments, asked.endpoint, asked.model, cid)
        entry = admission.Entry(
            endpoint=asked.endpoint,
            model=asked.model,
            text=asked.text,
            conversation_id=cid,
            leaf_id=asked.parent_id,
            temporary=asked.temporary and cid is None,
            instructions=asked.instructions,
            project=asked.project if cid is None else None,
            prompt=asked.prompt.messages if asked.prompt and cid is None else (),
            files=tuple(files),
        )
        entry = admission.with_branch(user, entry)
        return entry, admission.judge(user, client, entry, offered), (asked, files)

    def save(value: tuple[Ask, list]) -> records.Turn:
        return records.send(user, *value)

    return await _run(user, "send", received_at, admit, save, moderated=ask.text is not None)


async def regenerate(user, client: admission.Client, conversation_id, message_id) -> Started:
    """A new answer to the user message `message_id`, beside the ones it has."""
    received_at = time.monotonic()
    # The prompt ends at the user message answered again: nothing new is added to it.
    admit = await _admit_again(user, client, conversation_id, message_id, None)
    save = partial(records.regenerate, user, conversation_id, message_id)
    return await _run(user, "regenerate", received_at, admit, _ignoring(save), moderated=False)


async def edit(user, client: admission.Client, conversation_id, message_id, text: str) -> Started:
    """`text` beside the user message `message_id` (a new branch), and its answer."""
    received_at = time.monotonic()
    admit = await _admit_again(user, client, conversation_id, message_id, text)
    save = partial(records.edit, user, conversation_id, message_id, text)
    return await _run(user, "edit", received_at, admit, _ignoring(save), moderated=True)


async def _admit_again(
    user, client: admission.Client, conversation_id, message_id, text: str | None
) -> Callable[[], tuple[admission.Entry, Admission, None]]:
    """regenerate and edit use the conversation's endpoint and model: still offered?
    Their prompt is the branch to `message_id`, or to its parent when `text` replaces it."""
    conversation, message = await dbthreads.run(
        _offered_conversation, user, client, conversation_id, message_id
    )
    offered = await admission.offered_models(
        user, conversation.endpoint, conversation.model, conversation.id
    )
    entry = admission.Entry(
        endpoint=conversation.endpoint,
        model=conversation.model,
        text=text,
        conversation_id=conversation.id,
        leaf_id=message.id if text is None else message.parent_id,
    )

    def admit() -> tuple[admission.Entry, Admission, None]:
        read = admission.with_branch(user, entry)
        if text is not None:  # an edit keeps the message's files (chatapp.engine.records)
            kept = attachments.files_of([message.id]).get(message.id, [])
            read = replace(read, files=tuple(kept))
        return read, admission.judge(user, client, read, offered), None

    return admit


def _offered_conversation(
    user, client: admission.Client, conversation_id, message_id
) -> tuple[Any, Message]:
    """The user's conversation and message, once the client's session is checked and the
    conversation's endpoint is still offered to them and its parameters still allowed there."""
    admission.check_session(client)
    conversation = access.get_conversation_for(user, conversation_id)
    message = access.get_message_for(user, conversation, message_id)
    endpoint = request.check(user, conversation.endpoint, conversation.id)
    request.user_params(endpoint, conversation.parameters or {}, conversation.id)
    return conversation, message


def _ignoring(save: Callable[[], records.Turn]) -> Callable[[Any], records.Turn]:
    return lambda _: save()


async def _run(
    user,
    kind: str,
    received_at: float,
    admit: Callable[[], tuple[admission.Entry, Admission, V]],
    save: Callable[[V], records.Turn],
    moderated: bool,
) -> Started:
    """Admit, save, plan: one database unit, or two around moderation's wait.

    `admit` judges the turn (its entry, the admission, what `save` takes); `save` keeps the
    user message and the response placeholder (chatapp.engine.records). The request is
    built as soon as they are committed, so that the provider is asked right away."""
    if not (moderated and settings.OPENAI_MODERATION):
        admitted, (turn, plan) = await dbthreads.run(_admit_and_save, user, admit, save)
    else:
        entry, admitted, value = await dbthreads.run(admit)
        await admission.screened(user, entry, admitted)  # frees the slot when it refuses
        turn, plan = await dbthreads.run(_saved, user, entry, admitted, save, value)
    metrics.turns.labels(kind).inc()
    return Started(turn, user, admitted, received_at, plan)


def _admit_and_save(
    user, admit: Callable[[], tuple[admission.Entry, Admission, V]], save: Callable[[V], Any]
) -> tuple[Admission, tuple[records.Turn, generation.Plan | Exception]]:
    entry, admitted, value = admit()
    return admitted, _saved(user, entry, admitted, save, value)


def _saved(
    user,
    entry: admission.Entry,
    admitted: Admission,
    save: Callable[[V], records.Turn],
    value: V,
) -> tuple[records.Turn, generation.Plan | Exception]:
    """The turn saved (its slot freed if that fails), then its plan, from the branch the
    entry read, and its opening: a plan that fails ends the turn like a provider error
    once it runs."""
    try:
        turn = save(value)
    except BaseException:
        admitted.release()
        raise
    try:
        plan: generation.Plan | Exception = request.plan(turn, user, entry.branch, entry.files)
    except Exception as failure:  # the turn is saved: its generation reports the failure
        log.exception("the request of response %s could not be built", turn.response.id)
        plan = failure
    settlement.opened(turn)  # titleTiming: immediate
    return turn, plan


async def owned(user, conversation_id) -> str:
    """The id of the user's conversation (404 for anyone else's), for a socket to watch."""
    conversation = await dbthreads.run(access.get_conversation_for, user, conversation_id)
    return str(conversation.id)


async def stop(user, conversation_id) -> None:
    """Stop the conversation's response, in whichever web process runs it."""
    await dbthreads.run(access.get_conversation_for, user, conversation_id)
    await events.request_stop(user.pk, conversation_id)


async def streaming_response(user, conversation_id) -> Any:
    """The id of the response streaming in the user's conversation, or None."""

    def find() -> Any:
        conversation = access.get_conversation_for(user, conversation_id)
        streaming = conversation.messages.filter(state=Message.State.STREAMING)
        return streaming.values_list("id", flat=True).first()

    return await dbthreads.run(find)


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
