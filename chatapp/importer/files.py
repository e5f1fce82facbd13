"""LibreChat's `files` and the bytes on disk, then each message's `files` as attachments.

`load(run)` reads the `files` collection (before the messages that name them). A
file's bytes are read from the files directory the operator gives (`--files`):
LibreChat's local strategy keeps documents at `/uploads/<user>/<file_id>__<name>`
(the `uploads/` directory) and images at `/images/<user>/<name>` (`images/` in
the Docker layout, `client/public/images/` in a plain checkout); a `filepath` on
S3 or Azure names the same keys, so a copy of the bucket in that layout is read the
same way. Each is stored for its owner as an upload is checked
(chatapp/files/carried.py) and recorded (ImportedRecord), so a second run stores
nothing twice. Avatars are left to the users' import.

A message's `files` entries become its attachments (`attach`); one whose bytes were
not imported is named in the message's text (`[File not imported: name]`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files import File
from django.utils import timezone

from chatapp.files import carried, findable
from chatapp.files.policy import Refused
from chatapp.importer.run import Run
from chatapp.importer.values import Unreadable, source_id, text, when
from chatapp.models import Attachment, ImportedRecord, Message, StoredFile

FILES = carried.FILES
# Where LibreChat's local strategy keeps each kind, under the directory given.
PLACES = {"uploads": ("uploads",), "images": ("images", "client/public/images")}


def load(run: Run) -> None:
    done = run.done(FILES)
    run.files.update(done)
    for batch in run.batches(FILES):
        for document in batch:
            try:
                _file(run, document, done)
            except Unreadable as error:
                run.unreadable(FILES, document, error)


def _file(run: Run, document: dict, done: dict[str, str]) -> None:
    file_id = source_id(document, "file_id")
    owner = run.owner(document)
    if file_id in done:
        run.report.earlier(FILES, 1)
    elif owner is None:
        run.report.skip(FILES, "its user was not imported", file_id)
    elif text(document, "context") == "avatar":
        run.report.skip(FILES, "an avatar (the user's own avatar is imported with the user)")
    elif run.options.files_dir is None:
        run.report.skip(FILES, "no files directory given (--files): the name is kept", file_id)
    elif (path := locate(run.options.files_dir, text(document, "filepath"))) is None:
        run.report.skip(FILES, "not in the files directory", text(document, "filepath"))
    elif run.options.dry_run:
        run.report.imported(FILES)
    else:
        _store(run, document, file_id, owner, path)


def _store(run: Run, document: dict, file_id: str, owner: int, path: Path) -> None:
    name = text(document, "filename", 255) or display_name(file_id, path.name)
    user = get_user_model()(pk=owner)
    created = when(document, "createdAt", timezone.now())
    try:
        with path.open("rb") as handle:
            stored = carried.adopt(user, File(handle, name=name), created_at=created)
    except Refused as refused:
        run.report.skip(FILES, f"refused: {refused.code}", f"{file_id}: {refused.message}")
        return
    except OSError as error:
        run.report.skip(FILES, "cannot be read", f"{file_id}: {error.strerror or error}")
        return
    try:
        ImportedRecord.objects.create(collection=FILES, source_id=file_id, target_id=str(stored.pk))
    except BaseException:
        carried.discard([stored])
        raise
    run.files[file_id] = str(stored.pk)
    run.report.imported(FILES)


def locate(directory: Path, filepath: str) -> Path | None:
    """The file a LibreChat `filepath` names under `directory`, if it is there; never a path
    outside it (a `..` or a link out of it is not followed)."""
    path = filepath.split("?", 1)[0]
    for marker, places in PLACES.items():
        _, found, rest = path.partition(f"/{marker}/")
        if not found or not rest:
            continue
        for place in places:
            base = (directory / place).resolve()
            candidate = (base / rest).resolve()
            if candidate.is_relative_to(base) and candidate.is_file():
                return candidate
    return None


def display_name(file_id: str, name: str) -> str:
    """LibreChat stores an upload as `<file_id>__<name>`: the name the user gave it."""
    return name.removeprefix(f"{file_id}__") or name


def mark(run: Run, row: Message, document: dict) -> None:
    """Note the message's `files` entries on its row, for `prepare`: (StoredFile pk, or None
    when its bytes were not imported; its name)."""
    entries = document.get("files")
    if isinstance(entries, list):
        row.imported_files = [
            (run.files.get(str(entry.get("file_id") or "")), _name(entry))
            for entry in entries
            if isinstance(entry, dict)
        ]


def _name(entry: dict[str, Any]) -> str:
    name = entry.get("filename")
    if isinstance(name, str) and name:
        return name[:255]
    filepath = entry.get("filepath") if isinstance(entry.get("filepath"), str) else ""
    last = filepath.split("?", 1)[0].rsplit("/", 1)[-1]
    return display_name(str(entry.get("file_id") or ""), last)[:255] if last else "file"


def prepare(run: Run, rows: list[Message]) -> list[Attachment]:
    """Before the rows are written: each one's files its conversation's owner holds, as
    Attachment rows to write after them, and `files_text` for search; any other file is
    named in the message's text."""
    marked = [row for row in rows if getattr(row, "imported_files", None)]
    wanted = [_key(pk) for row in marked for pk, _ in row.imported_files if pk]
    stored = StoredFile.objects.in_bulk(wanted) if wanted else {}
    links = []
    for row in marked:
        owner = run.conversations.get(row.conversation_id)
        files, missing = [], []
        for pk, name in row.imported_files:
            found = stored.get(_key(pk)) if pk else None
            if found is not None and found.owner_id == owner:
                if found not in files:
                    files.append(found)
            else:
                missing.append(name)
        if missing:
            row.text = carried.with_placeholders(row.text, missing)
            run.report.skip("message files", "not imported: named in the message", n=len(missing))
        row.files_text = findable.text_of(files)
        links += [Attachment(message=row, file=f, position=i) for i, f in enumerate(files)]
    return links


def attach(links: list[Attachment]) -> None:
    """Write the links `prepare` made (after their messages), and mark the files attached."""
    if links:
        Attachment.objects.bulk_create(links)
        StoredFile.objects.filter(
            pk__in={link.file_id for link in links}, attached_at__isnull=True
        ).update(attached_at=timezone.now())


def _key(value: str) -> Any:
    return StoredFile._meta.pk.to_python(value)
