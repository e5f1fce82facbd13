"""What search finds of a message's files: their names and extracted text.

Search reads a message's own row (chatapp/search: the database's text indexes,
SQLite's FTS table, Meilisearch's documents), so each message keeps a copy in
`Message.files_text`: written when files are attached (`text_of`), and again
when one of them is deleted (`refresh`), so a deleted file is no longer found.
A message's files are always its owner's, so the owner filter every search
applies covers them too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from chatapp.models import Attachment, Message, StoredFile
from chatapp.search import sync


def text_of(files: Iterable[StoredFile]) -> str:
    """Each file's name, then its text (none for an image)."""
    return "\n\n".join("\n".join(p for p in (f.name, f.text) if p) for f in files)


def refresh(message_ids: Iterable[Any]) -> None:
    """Rewrite the messages' copy from the files they still have, and reindex them."""
    ids = list(message_ids)
    if not ids:
        return
    files: dict[Any, list[StoredFile]] = defaultdict(list)
    rows = Attachment.objects.filter(message_id__in=ids).select_related("file")
    for row in rows.order_by("message_id", "position"):
        files[row.message_id].append(row.file)
    changed: dict[Any, list[Any]] = defaultdict(list)
    for message in Message.objects.filter(pk__in=ids).only("id", "conversation_id"):
        Message.objects.filter(pk=message.pk).update(files_text=text_of(files[message.pk]))
        changed[message.conversation_id].append(message.pk)
    for conversation_id, changed_ids in changed.items():
        sync.conversation_changed(conversation_id, changed_ids)
