"""LibreChat's bookmarks: `conversationtags` and the `tags` of its conversations.

Tags come before the conversations, each recorded (ImportedRecord) so that no
later run repeats it; a tag whose name the user already has in Parley (a merged
account) is that bookmark. A conversation's tags are linked in the transaction
that inserts the conversation (`link`), so a conversation imported once is
tagged once; a name no tag document holds becomes a bookmark, placed last, as
LibreChat's own tagging makes one. LibreChat's stored `count` is not copied:
Parley counts a bookmark's conversations (chatapp.bookmarks.counted), which is
what that number counts.
"""

from __future__ import annotations

import uuid

from django.db.models import Max

from chatapp.importer.run import Run
from chatapp.importer.values import Unreadable, signed, source_id, text
from chatapp.models import Conversation, ConversationTag, ImportedRecord
from chatapp.models.tag import DESCRIPTION_MAX, NAME_MAX

COLLECTION, LINKS = "conversationtags", "conversation tags"
POSITION_MAX = 2**31 - 1  # the column's range on every database
Tagged = dict[uuid.UUID, tuple[int, list[str]]]  # conversation → (owner, tag names)


def load(run: Run) -> None:
    done = set(run.done(COLLECTION))
    for batch in run.batches(COLLECTION):
        rows: list[tuple[str, ConversationTag]] = []
        for document in batch:
            try:
                row = _read(run, document, done)
            except Unreadable as error:
                run.unreadable(COLLECTION, document, error)
                continue
            if row is not None:
                rows.append(row)
        _batch(run, rows)


def _read(run: Run, document: dict, done: set[str]) -> tuple[str, ConversationTag] | None:
    source, owner = source_id(document), run.owner(document)
    if source in done:
        run.report.earlier(COLLECTION, 1)
    elif owner is None:
        run.report.skip(COLLECTION, "its user was not imported", source)
    else:
        row = _tag(document, owner)
        done.add(source)  # the same _id twice in the dump is then "imported by an earlier run"
        return source, row
    return None


def _tag(document: dict, owner: int) -> ConversationTag:
    name = text(document, "tag").strip()
    if not name:
        raise Unreadable("tag", "missing")
    if len(name) > NAME_MAX:
        raise Unreadable("tag", f"longer than {NAME_MAX} characters")
    return ConversationTag(
        owner_id=owner,
        name=name,
        description=text(document, "description", DESCRIPTION_MAX).strip(),
        position=min(max(signed(document, "position"), 0), POSITION_MAX),
    )


def _batch(run: Run, rows: list[tuple[str, ConversationTag]]) -> None:
    """New tags are created; one whose owner already has its name maps to that bookmark."""
    held = _existing({(row.owner_id, row.name) for _source, row in rows})
    new: list[tuple[str, ConversationTag]] = []
    for source, row in rows:
        key = (row.owner_id, row.name)
        if key in held:
            run.report.skip(
                COLLECTION, "the user already has a bookmark of that name in Parley", source
            )
        else:
            held[key] = 0  # a later document of the same name is "already there" too
            new.append((source, row))
    run.write(lambda: _save(rows, new))
    run.report.imported(COLLECTION, len(new))


def _save(rows: list[tuple[str, ConversationTag]], new: list[tuple[str, ConversationTag]]) -> None:
    ConversationTag.objects.bulk_create([row for _source, row in new])
    held = _existing({(row.owner_id, row.name) for _source, row in rows})
    ImportedRecord.objects.bulk_create(
        ImportedRecord(
            collection=COLLECTION, source_id=source, target_id=str(held[row.owner_id, row.name])
        )
        for source, row in rows
    )


def _existing(keys: set[tuple[int, str]]) -> dict[tuple[int, str], int]:
    """(owner, name) → the pk of that user's bookmark, for those of `keys` that exist."""
    if not keys:
        return {}
    rows = ConversationTag.objects.filter(
        owner_id__in={owner for owner, _name in keys}, name__in={name for _owner, name in keys}
    ).values_list("owner_id", "name", "pk")
    return {(owner, name): pk for owner, name, pk in rows if (owner, name) in keys}


def tagged(run: Run, rows: dict[uuid.UUID, Conversation], documents: dict) -> Tagged:
    """The tags of the conversations about to be inserted, by conversation."""
    found = {pk: (row.owner_id, names(run, documents[pk], pk)) for pk, row in rows.items()}
    return {pk: entry for pk, entry in found.items() if entry[1]}


def names(run: Run, document: dict, conversation: uuid.UUID) -> list[str]:
    """A conversation's `tags` that can be bookmark names; the others are reported."""
    value = document.get("tags")
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        run.report.skip(LINKS, "unreadable field tags", str(conversation))
        return []
    kept = []
    for name in dict.fromkeys(name.strip() for name in value):
        if name and len(name) <= NAME_MAX:
            kept.append(name)
        else:
            reason = f"not a bookmark name (empty or over {NAME_MAX} characters)"
            run.report.skip(LINKS, reason, str(conversation))
    return kept


def link(tagged: Tagged) -> None:
    """Tag the conversations just inserted, creating the bookmarks their owners lack."""
    wanted = {(owner, name) for owner, tags in tagged.values() for name in tags}
    if not wanted:
        return
    held = _existing(wanted)
    _create_missing(wanted - held.keys(), held)
    through = ConversationTag.conversations.through
    through.objects.bulk_create(
        through(conversationtag_id=held[(owner, name)], conversation_id=pk)
        for pk, (owner, tags) in tagged.items()
        for name in tags
    )


def _create_missing(keys: set[tuple[int, str]], held: dict[tuple[int, str], int]) -> None:
    owners = {owner for owner, _name in keys}
    last = dict(
        ConversationTag.objects.filter(owner_id__in=owners)
        .values("owner_id")
        .annotate(last=Max("position"))
        .values_list("owner_id", "last")
    )
    made = []
    for owner, name in sorted(keys):
        position = min(last.get(owner, -1) + 1, POSITION_MAX)
        last[owner] = position
        made.append(ConversationTag(owner_id=owner, name=name, position=position))
    ConversationTag.objects.bulk_create(made)
    held.update({(tag.owner_id, tag.name): tag.pk for tag in made})
