"""LibreChat's `conversations` and `messages`, ids kept, trees rebuilt parent first.

Ids are kept (LibreChat's UUIDs; any other id maps to a stable UUID5), so
`/c/<id>` links still lead to the conversation and a second run finds what the
first imported. A message is imported only into a conversation of its own user.
Messages arrive in any order: one whose parent has not been seen yet waits for
it; one whose parent never comes becomes a root (and is reported).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import models
from django.utils import timezone

from chatapp.importer import bookmarks, bulk, content, files, params
from chatapp.importer.run import Run
from chatapp.importer.values import (
    NO_PARENT,
    Unreadable,
    as_uuid,
    count,
    flag,
    source_id,
    text,
    when,
)
from chatapp.models import Conversation, Message

CONVERSATIONS, MESSAGES = "conversations", "messages"


def load(run: Run) -> None:
    for batch in run.batches(CONVERSATIONS):
        _conversations(run, batch)
    Tree(run).load()


@contextmanager
def kept_timestamps(*fields: models.DateTimeField) -> Iterator[None]:
    """Let bulk_create write the source's timestamps into auto_now(_add) fields."""
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, now, now_add in saved:
            f.auto_now, f.auto_now_add = now, now_add


def _conversation(run: Run, document: dict, owner: int) -> Conversation:
    endpoint = text(document, "endpoint", 100)
    model = text(document, "model", 200)
    created = when(document, "createdAt", timezone.now())
    return Conversation(
        id=as_uuid(source_id(document, "conversationId")),
        owner_id=owner,
        endpoint=endpoint,
        model=model,
        spec=text(document, "spec", 100),
        title=text(document, "title", 200),
        parameters=params.clean(endpoint, params.from_document(document)),
        system_prompt=text(document, "promptPrefix"),
        archived=flag(document, "isArchived"),
        created_at=created,
        updated_at=when(document, "updatedAt", created),
    )


def _conversations(run: Run, batch: list[dict]) -> None:
    rows: dict[uuid.UUID, Conversation] = {}
    documents: dict[uuid.UUID, dict] = {}
    for document in batch:
        owner = run.owner(document)
        if owner is None:
            run.report.skip(CONVERSATIONS, "its user was not imported", str(document.get("_id")))
            continue
        if document.get("expiredAt") is not None:
            run.report.skip(CONVERSATIONS, "temporary chat", str(document.get("conversationId")))
            continue
        try:
            row = _conversation(run, document, owner)
        except Unreadable as error:
            run.unreadable(CONVERSATIONS, document, error)
            continue
        if row.id not in rows:
            rows[row.id], documents[row.id] = row, document
    present = dict(Conversation.objects.filter(id__in=rows).values_list("id", "owner_id"))
    for pk, owner in present.items():
        row = rows.pop(pk)
        if owner == row.owner_id:
            run.conversations[pk] = owner
            run.report.earlier(CONVERSATIONS, 1)
        else:
            run.report.skip(CONVERSATIONS, "id taken by another account's conversation", str(pk))
    tagged = bookmarks.tagged(run, rows, documents)
    field = Conversation._meta.get_field("updated_at")
    with kept_timestamps(field):
        run.write(lambda: _insert(list(rows.values()), tagged))
    if tagged:
        run.report.imported(bookmarks.LINKS, sum(len(names) for _owner, names in tagged.values()))
    run.conversations.update({pk: row.owner_id for pk, row in rows.items()})
    run.report.imported(CONVERSATIONS, len(rows))
    if not run.options.dry_run:
        run.report.changed_owners.update(row.owner_id for row in rows.values())


def _insert(rows: list[Conversation], tagged: bookmarks.Tagged) -> None:
    Conversation.objects.bulk_create(rows)
    bookmarks.link(tagged)


class Tree:
    """Messages placed parent first across batches (see the module's docstring)."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.placed: dict[uuid.UUID, uuid.UUID] = {}  # message id → its conversation
        self.waiting: dict[uuid.UUID, list[Message]] = {}  # parent id → children
        self.accepted: set[uuid.UUID] = set()  # ids taken from the dump by this run

    def load(self) -> None:
        for batch in self.run.batches(MESSAGES):
            rows = [row for row in map(self._message, batch) if row is not None]
            self._write(self._place_all(self._fresh(rows)))
        while self.waiting:
            self._orphans()

    def _orphans(self) -> None:
        """Make roots of the messages whose parent never came (or whose links loop)."""
        waiting_ids = {child.id for children in self.waiting.values() for child in children}
        lost = [parent for parent in self.waiting if parent not in waiting_ids]
        reason = "parent not in the dump"
        if not lost:  # every waiting parent waits itself: the links form a cycle
            lost, reason = [next(iter(self.waiting))], "parent links form a cycle"
        orphans = [child for parent in lost for child in self.waiting.pop(parent)]
        for orphan in orphans:
            self.run.report.skip(MESSAGES + " (kept as roots)", reason, str(orphan.id))
            orphan.parent_id = None
        ready = self._place_all(orphans)
        size = self.run.options.batch_size
        for start in range(0, len(ready), size):
            self._write(ready[start : start + size])

    def _message(self, document: dict) -> Message | None:
        try:
            conversation = as_uuid(source_id(document, "conversationId"))
            owner = self.run.conversations.get(conversation)
            if owner is None:
                self.run.report.skip(MESSAGES, "its conversation was not imported")
                return None
            if document.get("user") is not None and self.run.owner(document) != owner:
                self.run.report.skip(MESSAGES, "its user does not own its conversation")
                return None
            return self._row(document, conversation)
        except Unreadable as error:
            self.run.unreadable(MESSAGES, document, error)
            return None

    def _row(self, document: dict, conversation: uuid.UUID) -> Message:
        body = content.read(document)
        for kind in body.dropped:
            self.run.report.skip("message parts", f"{kind} parts are not kept")
        parent = document.get("parentMessageId")
        from_user = flag(document, "isCreatedByUser")
        failed = flag(document, "error")
        row = Message(
            id=as_uuid(source_id(document, "messageId")),
            conversation_id=conversation,
            parent_id=as_uuid(str(parent)) if parent and parent != NO_PARENT else None,
            role=Message.Role.USER if from_user else Message.Role.ASSISTANT,
            text="" if failed else body.text,
            reasoning=body.reasoning,
            endpoint=text(document, "endpoint", 100),
            model=text(document, "model", 200),
            prompt_tokens=count(document, "promptTokens"),
            completion_tokens=0 if from_user else count(document, "tokenCount"),
            state=_state(failed, flag(document, "unfinished")),
            error=body.text if failed else "",
            created_at=when(document, "createdAt", timezone.now()),
        )
        files.mark(self.run, row, document)
        return row

    def _fresh(self, rows: list[Message]) -> list[Message]:
        """Drop what is already in Parley; learn where the parents outside the batch are."""
        ids = {row.id for row in rows}
        asked = ids | {row.parent_id for row in rows if row.parent_id not in self.placed}
        asked.discard(None)
        found = dict(Message.objects.filter(id__in=asked).values_list("id", "conversation_id"))
        self.placed.update(found)
        fresh = []
        for row in rows:
            if row.id in self.accepted:
                self.run.report.skip(MESSAGES, "duplicate messageId in the dump", str(row.id))
            elif row.id in found:
                self.run.report.earlier(MESSAGES, 1)
            else:
                self.accepted.add(row.id)
                fresh.append(row)
        return fresh

    def _place_all(self, rows: list[Message]) -> list[Message]:
        """The rows whose parents are placed, each after its parent; the rest wait."""
        ready: list[Message] = []
        stack = list(reversed(rows))
        while stack:
            row = stack.pop()
            parent = row.parent_id
            if parent is not None and parent not in self.placed:
                self.waiting.setdefault(parent, []).append(row)
                continue
            if parent is not None and self.placed[parent] != row.conversation_id:
                self.run.report.skip(
                    MESSAGES + " (kept as roots)", "parent in another conversation"
                )
                row.parent_id = None
            self.placed[row.id] = row.conversation_id
            ready.append(row)
            stack.extend(reversed(self.waiting.pop(row.id, [])))
        return ready

    def _write(self, rows: list[Message]) -> None:
        if rows:
            links = files.prepare(self.run, rows)

            def insert() -> None:
                bulk.insert(Message, rows)
                files.attach(links)

            self.run.write(insert)
            self.run.report.imported(MESSAGES, len(rows))
            if not self.run.options.dry_run:
                owners = {self.run.conversations[row.conversation_id] for row in rows}
                self.run.report.changed_owners.update(owners)


def _state(failed: bool, unfinished: bool) -> str:
    if failed:
        return Message.State.ERROR
    return Message.State.ABORTED if unfinished else Message.State.COMPLETE
