"""Feeding the indexes: the plain functions behind the sync tasks and `search_reindex`.

Each function reads the committed rows and writes every index that needs it
(the SQLite FTS table, Meilisearch). A failure of one index does not stop the
others; the first failure is raised afterwards so the task is retried.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import TypeVar

from chatapp.models import Conversation
from chatapp.search.backends import indexes
from chatapp.search.base import SearchUnavailable

Progress = Callable[[int, int], None]
T = TypeVar("T")


def index_conversation(conversation_id: str, message_ids: list[str] | None = None) -> None:
    """(Re)index a conversation's title and the given messages (all of them when None)."""
    conversation = Conversation.objects.filter(pk=conversation_id).first()
    if conversation is None or conversation.temporary:  # deleted since, or never to be found
        remove_conversation(conversation_id)
        return
    messages = conversation.messages.all()
    if message_ids is not None:
        messages = messages.filter(pk__in=message_ids)
    rows = list(messages.only("id", "role", "text", "files_text"))
    _each(indexes(automatic=True), lambda index: index.index(conversation, rows))


def index_conversations(changes: dict[str, list[str] | None]) -> None:
    """`index_conversation` for each conversation of `changes` (its message ids, or None for
    all); one that fails does not stop the others, and the first failure is raised after."""
    _each(changes.items(), lambda change: index_conversation(*change))


def remove_conversation(conversation_id: str) -> None:
    _each(indexes(automatic=True), lambda index: index.remove(conversation_id))


def remove_owner(owner_id: int) -> None:
    _each(indexes(automatic=True), lambda index: index.remove_owner(owner_id))


def reindex(owner=None, progress: Progress | None = None) -> int:
    """Rebuild the indexes (of one owner, or everyone), safe while serving: entries are
    replaced in place, so searches keep answering, then whatever this run did not re-send
    (deleted since, or missed by a failed sync) is pruned. Returns the conversations sent."""
    targets = indexes(automatic=False)
    if not targets:  # PostgreSQL alone: its indexes are always current
        return 0
    started = time.time()
    conversations = Conversation.objects.filter(expires_at=None)
    if owner is not None:
        conversations = conversations.filter(owner=owner)
    total = conversations.count()
    done = 0
    for conversation in conversations.order_by("pk").iterator(chunk_size=200):
        # conversation_id too: the related manager reads it on every row it returns.
        rows = list(
            conversation.messages.only("id", "role", "text", "files_text", "conversation_id")
        )
        _each(targets, lambda index, c=conversation, r=rows: index.index(c, r))
        done += 1
        if progress:
            progress(done, total)
    owner_id = owner.pk if owner is not None else None
    _each(targets, lambda index: index.prune(started, owner_id))
    return done


def _each(targets: Iterable[T], action: Callable[[T], None]) -> None:
    failure: SearchUnavailable | None = None
    for target in targets:
        try:
            action(target)
        except SearchUnavailable as error:
            failure = failure or error
    if failure:
        raise failure
