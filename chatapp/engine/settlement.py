"""The after-half of a turn: what follows once the response has started and ended.

- `opened(turn)` when the response starts: the title, when titleTiming is `immediate`.
- `settled(turn, response, usage, rate, provider_called)` when it ends: the balance
  transaction of what the response used, its final text to the search index, and the
  title when titleTiming is `final`.

Both are synchronous (database work, run on chatapp.conf.dbthreads by the generation)
and never raise: the answer is saved and sent already; a failure here is logged.
"""

from __future__ import annotations

import logging
from typing import Any

from accounts import balance
from chatapp import tasks, titles
from chatapp.conf import dispatch
from chatapp.models import Conversation, Message
from chatapp.search import sync
from endpoints.adapters.base import Usage

log = logging.getLogger(__name__)


def opened(turn) -> None:
    """The response started: the title, when titleTiming is `immediate` (none for a turn
    that is not saved: an API request, records.Ask.unsaved)."""
    if not turn.unsaved:
        _title(turn, None)


def settled(turn, response: Message, usage: Usage, rate: Any, provider_called: bool) -> None:
    """The response ended: bill what it used, and the title when titleTiming is `final`.

    Never raises: the answer is saved and sent already; a failure here is logged.
    An unsaved turn's conversation (records.Ask.unsaved) is deleted once billed.
    """
    try:
        _bill(turn, response, usage, rate, provider_called)
    except Exception:
        log.exception("response %s not billed", response.pk)
    if turn.unsaved:
        _forget(turn)
        return
    _index(turn, response)
    if response.state == Message.State.COMPLETE:
        _title(turn, response.text)


BALANCE_SPENT = (
    "Your balance ran out during this answer's tool calls (%s credits left after them):"
    " the answer ends here."
)


def still_funded(turn, usage: Usage, rate: Any) -> str | None:
    """Before another model call of a turn's tool loop: None while the user's balance
    covers what the turn has used so far (charged when it ends); else why it stops."""
    rules = balance.policy()
    if not rules.enabled:
        return None
    left = balance.get_balance(turn.conversation.owner, rules).credits
    left -= balance.cost_of(usage, rate)
    return None if left > 0 else BALANCE_SPENT % f"{left.normalize():f}"


def _bill(turn, response: Message, usage: Usage, rate: Any, provider_called: bool) -> None:
    if not provider_called:
        return
    completed = response.state == Message.State.COMPLETE
    balance.charge(
        turn.conversation.owner,
        usage,
        rate,
        endpoint=response.endpoint,
        model=response.model,
        conversation_id=str(turn.conversation.pk),
        message_id=str(response.pk),
        context="message" if completed else "incomplete",
        api_key_id=turn.api_key,
    )


def _forget(turn) -> None:
    """Delete an unsaved turn's conversation; the sweeper deletes it later if this fails."""
    try:
        turn.conversation.delete()
        sync.conversation_deleted(turn.conversation.pk)
    except Exception:
        log.exception("unsaved conversation %s not deleted", turn.conversation.pk)


def _index(turn, response: Message) -> None:
    """The final text of the response goes to the search index (chatapp/search/sync.py)."""
    try:
        sync.conversation_changed(turn.conversation.pk, [response.pk])
    except Exception:  # an unreachable broker must never break the chat
        log.exception("response %s not queued for indexing", response.pk)


def queue_title(conversation: Conversation, question: Message, answer: str | None = None) -> bool:
    """Queue the title task if this is the moment titleTiming asks for; True when queued."""
    if not titles.is_due(conversation, question, answer):
        return False
    dispatch.enqueue(tasks.generate_title, str(conversation.pk), question.text, answer or "")
    return True


def _title(turn, answer: str | None) -> None:
    try:
        queue_title(turn.conversation, turn.user_message, answer)
    except Exception:  # a title must never break the chat
        log.exception("title for conversation %s not queued", turn.conversation.pk)
