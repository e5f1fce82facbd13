"""Export (Parley JSON, Markdown, text) and import (Parley JSON, LibreChat exports).

Imports always create new ids: an id in a file is only used to rebuild the tree.

Files: Parley's JSON lists each message's files (id, name, type, size, SHA-256) with
their bytes in base64 (`data`) while the export's files fit in half the import limit
(PARLEY_MAX_IMPORT_BYTES), so the export imports again; Markdown names them. An import
brings back the files it carries, and each LibreChat `files` entry or image part the
importing user already has here (chatapp/files/carried.py); any other is named in its
message's text, and the import goes on.

Web search sources: the JSON carries each step's `data` (its sources); Markdown and text
list an answer's sources under it, numbered as its [n] markers (chatapp/tools/websearch).
"""

from __future__ import annotations

import base64
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone

from chatapp import bookmarks, instructions
from chatapp.branches import branch
from chatapp.conversations import BadRequest, conversation_dict, message_dict
from chatapp.files import attachments, carried, uploads
from chatapp.importer import exports
from chatapp.models import Conversation, Message, StoredFile, ToolStep
from chatapp.models.tag import NAME_MAX
from chatapp.search import sync
from chatapp.tools.websearch import sources
from endpoints import config, userparams

log = logging.getLogger(__name__)
FORMAT = "parley"
VERSION = 1
LIBRECHAT_NO_PARENT = "00000000-0000-0000-0000-000000000000"
# LibreChat's recursive exports nest each reply two levels below the message it answers;
# Python's JSON decoder stops near 1,000 levels, so this is as deep as a file can go.
MAX_DEPTH = 800
MAX_COUNT = 2**31 - 1  # a token count's column
MAX_TAGS = 50  # bookmarks kept from one imported conversation
MAX_FILES = 100  # files kept from one imported message (a send takes as many)


def export_json(conversation: Conversation) -> dict[str, Any]:
    messages = list(conversation.messages.order_by("created_at", "id").prefetch_related("steps"))
    files = attachments.files_of(m.id for m in messages)
    budget = [settings.MAX_IMPORT_BYTES // 2]  # base64 grows them by a third
    return {
        "format": FORMAT,
        "version": VERSION,
        "conversation": {**conversation_dict(conversation), "tags": _tag_names(conversation)},
        "messages": [
            message_dict(m) | {"files": [_exported(f, budget) for f in files.get(m.id, ())]}
            for m in messages
        ],
    }


def _exported(stored: StoredFile, budget: list[int]) -> dict[str, Any]:
    """A file as Parley's JSON carries it: with its bytes while they fit the budget."""
    entry = {
        **attachments.described(stored),
        "sha256": stored.sha256,
        "as_text": attachments.as_text(stored),
    }
    if stored.size <= budget[0]:
        try:
            entry["data"] = base64.b64encode(attachments.read(stored)).decode()
        except OSError:  # the bytes are gone from storage: the file's name still goes
            log.warning("file %s has no bytes in storage", stored.id)
        else:
            budget[0] -= stored.size
    return entry


def export_markdown(conversation: Conversation) -> str:
    """The current branch (root to the newest message) as Markdown."""
    lines = [f"# {conversation.title or 'Conversation'}", ""]
    if conversation.endpoint or conversation.model:
        lines += [f"Endpoint: {conversation.endpoint} · Model: {conversation.model}", ""]
    path = branch(conversation, None)
    files = attachments.files_of(m.id for m in path)
    for message in path:
        steps = list(message.steps.all())
        lines += [f"**{_speaker(message)}**", ""]
        if message.reasoning:
            lines += ["> " + line for line in message.reasoning.splitlines()] + [""]
        lines += _markdown_steps(steps)
        lines += [message.text, ""]
        lines += sources.markdown_lines(steps)
        lines += [f"_Attached: {_described(f)}_" for f in files.get(message.id, ())]
        lines += [""] if message.id in files else []
        if message.state not in (Message.State.COMPLETE, Message.State.STREAMING):
            lines += [f"_({message.state}{': ' + message.error if message.error else ''})_", ""]
    return "\n".join(lines).rstrip() + "\n"


def export_text(conversation: Conversation) -> str:
    """The current branch as plain text: who said what, and the sources an answer cites."""
    lines = [conversation.title or "Conversation", ""]
    for message in branch(conversation, None):
        lines += [f"{_speaker(message)}:", message.text, ""]
        lines += sources.text_lines(message.steps.all())
    return "\n".join(lines).rstrip() + "\n"


def _speaker(message: Message) -> str:
    return "User" if message.role == Message.Role.USER else (message.model or "Assistant")


def _described(stored: StoredFile) -> str:
    return f"{stored.name} ({stored.mime}, {uploads.megabytes(stored.size)})"


def _markdown_steps(steps: list[ToolStep]) -> list[str]:
    """Each tool step as a line and its arguments and result as code."""
    lines: list[str] = []
    for step in steps:
        where = f" ({step.server})" if step.server else ""
        cut = ", cut for the model" if step.truncated else ""
        lines += [f"_Tool `{step.tool}`{where}: {step.state}{cut}_", ""]
        lines += ["```json", step.arguments, "```", "", "```", step.result, "```", ""]
    return lines


@dataclass(frozen=True)
class Imported:
    conversations: list[Conversation]
    skipped: list[str]  # what the file held that was left out, and why


def import_file(user, data: Any) -> Imported:
    """Every conversation of an uploaded file: the one of a Parley or LibreChat export, or
    each of a ChatGPT or Chatbot UI export (their readers: chatapp/importer/exports.py)."""
    parsed = exports.read(data)
    if parsed is None:
        return Imported([import_conversation(user, data)], [])
    created, skipped = [], list(parsed.skipped)
    for header, rows in parsed.conversations:
        try:
            conversation = _create(user, header, rows)
        except BadRequest as error:
            skipped.append(f"“{header['title']}”: {error}")
            continue
        except DatabaseError:
            log.exception("import of %r failed", header["title"])
            skipped.append(f"“{header['title']}”: could not be saved; nothing of it was kept")
            continue
        sync.conversation_changed(conversation.id)
        created.append(conversation)
    if not created:
        raise BadRequest("The export holds no conversation to import: " + "; ".join(skipped[:3]))
    return Imported(created, skipped)


def import_conversation(user, data: Any) -> Conversation:
    """Create a conversation from a Parley or LibreChat export."""
    if not isinstance(data, dict):
        raise BadRequest("The file is not a conversation export (a JSON object).")
    if data.get("format") == FORMAT:
        header, messages = _parley(data)
    elif "conversationId" in data and isinstance(data.get("messages"), list):
        header, messages = _librechat(data)
    else:
        raise BadRequest("Unknown export format: expected Parley's JSON or LibreChat's export.")
    if not messages:
        raise BadRequest("The export holds no messages.")
    header["parameters"] = _allowed_parameters(header["endpoint"], header["parameters"])
    conversation = _create(user, header, messages)
    sync.conversation_changed(conversation.id)
    return conversation


def _allowed_parameters(name: str, parameters: Any) -> dict:
    """The parameters a user may set on endpoint `name` (endpoints.userparams); none for an
    endpoint not configured here, whose parameters nothing can check."""
    endpoint = config.current().get(name)
    try:
        return userparams.clean(endpoint, parameters) if endpoint else {}
    except userparams.BadParameter as bad:
        raise BadRequest(f"conversation.parameters.{bad}.") from None


def _parley(data: dict) -> tuple[dict, list[dict]]:
    conversation = data.get("conversation") or {}
    messages = data.get("messages")
    if not isinstance(conversation, dict) or not isinstance(messages, list):
        raise BadRequest("A Parley export has a 'conversation' object and a 'messages' list.")
    header = {
        "title": _text(conversation.get("title"), 200),
        "endpoint": _text(conversation.get("endpoint"), 100),
        "model": _text(conversation.get("model"), 200),
        "spec": _text(conversation.get("spec"), 100),
        "parameters": conversation.get("parameters") or {},
        "system_prompt": _instructions(conversation.get("system_prompt")),
        "tags": _tags(conversation.get("tags")),
    }
    rows = []
    for index, item in enumerate(messages):
        where = f"messages[{index}]"
        if not isinstance(item, dict) or item.get("role") not in Message.Role.values:
            raise BadRequest(f"{where}: each message needs a 'role' of 'user' or 'assistant'.")
        usage = item.get("usage") or {}
        if not isinstance(usage, dict):
            raise BadRequest(f"{where}.usage: an object.")
        rows.append({
            "key": str(item["id"]) if item.get("id") is not None else str(uuid.uuid4()),
            "parent": str(item["parent_id"]) if item.get("parent_id") else None,
            "role": item["role"],
            "text": _text(item.get("text")),
            "reasoning": _text(item.get("reasoning")),
            "endpoint": _text(item.get("endpoint"), 100),
            "model": _text(item.get("model"), 200),
            "state": _state(item.get("state")),
            "error": _text(item.get("error")),
            "prompt_tokens": _count(usage.get("prompt_tokens"), f"{where}.usage.prompt_tokens"),
            "completion_tokens": _count(
                usage.get("completion_tokens"), f"{where}.usage.completion_tokens"
            ),
            "created_at": _when(item.get("created_at"), f"{where}.created_at"),
            "steps": _steps(item.get("steps"), f"{where}.steps"),
            "files": _parley_files(item.get("files"), f"{where}.files"),
        })  # fmt: skip
    return header, rows


def _parley_files(value: Any, where: str) -> list[carried.Carried]:
    """A Parley export's files of one message: their bytes if it carries them, else their
    ids and SHA-256 (the importing user's own copy, if they still have it)."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise BadRequest(f"{where}: a list of objects.")
    return [
        carried.Carried(
            name=_text(item.get("name"), 255) or "file",
            data=carried.decode(item.get("data")),
            file_id=_text(item.get("id"), 100),
            sha256=_text(item.get("sha256"), 64),
            as_text=item.get("as_text") is True,
        )
        for item in value[:MAX_FILES]
    ]


def _steps(value: Any, where: str) -> list[dict[str, Any]]:
    """A Parley export's tool steps of one message, as ToolStep fields."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise BadRequest(f"{where}: a list of objects.")
    states = set(ToolStep.State.values) - {ToolStep.State.RUNNING}  # an import runs nothing
    return [
        {
            "round": _count(item.get("round"), f"{where}[{i}].round"),
            "call_id": _text(item.get("call_id"), 200),
            "tool": _text(item.get("tool"), 200),
            "server": _text(item.get("server"), 200),
            "arguments": _text(item.get("arguments")),
            "result": _text(item.get("result")),
            "result_chars": _count(item.get("result_chars"), f"{where}[{i}].result_chars"),
            "truncated": item.get("truncated") is True,
            "data": item["data"] if isinstance(item.get("data"), dict) else {},
            "state": item["state"] if item.get("state") in states else ToolStep.State.CANCELLED,
            "text_offset": _count(item.get("text_offset"), f"{where}[{i}].text_offset"),
            "duration_ms": _count(item.get("duration_ms"), f"{where}[{i}].duration_ms"),
        }
        for i, item in enumerate(value)
    ]


def _librechat(data: dict) -> tuple[dict, list[dict]]:
    options = data.get("options") or {}
    if not isinstance(options, dict):
        raise BadRequest("options: an object.")
    header = {
        "title": _text(data.get("title"), 200),
        "endpoint": _text(data.get("endpoint"), 100),
        "model": _text(options.get("model"), 200),
        "spec": _text(options.get("spec") or data.get("spec"), 100),
        "parameters": {
            key: options[key]
            for key in ("temperature", "top_p", "presence_penalty", "frequency_penalty")
            if isinstance(options.get(key), int | float)
        },
        "system_prompt": _instructions(options.get("promptPrefix")),
        "tags": _tags(data.get("tags")),
    }
    rows, previous = [], None
    for index, (item, tree_parent) in enumerate(_flatten(data["messages"])):
        where = f"message #{index + 1} ({item.get('messageId')})"
        key = str(item.get("messageId") or uuid.uuid4())
        parent = item.get("parentMessageId")
        if parent == LIBRECHAT_NO_PARENT:
            parent = None
        elif tree_parent is not None:
            parent = tree_parent
        elif parent is None and previous is not None and not data.get("branches"):
            parent = previous  # a linear export may leave parents out
        from_user = bool(item.get("isCreatedByUser"))
        rows.append({
            "key": key,
            "parent": str(parent) if parent else None,
            "role": Message.Role.USER if from_user else Message.Role.ASSISTANT,
            "text": _librechat_text(item),
            "reasoning": "",
            "endpoint": _text(item.get("endpoint") or data.get("endpoint"), 100),
            "model": _text(item.get("model"), 200),
            "state": _librechat_state(item),
            "error": "",
            "prompt_tokens": _count(item.get("promptTokens"), f"{where}.promptTokens"),
            "completion_tokens": 0
            if from_user
            else _count(item.get("tokenCount"), f"{where}.tokenCount"),
            "created_at": _when(item.get("createdAt"), f"{where}.createdAt"),
            "files": _librechat_files(item),
        })  # fmt: skip
        previous = key
    return header, rows


def _librechat_files(item: dict) -> list[carried.Carried]:
    """A LibreChat message's `files` entries and `image_url` parts. Its export carries no
    bytes but a `data:` URL's: each is found by its `file_id` (the user's files an earlier
    deployment import stored) or named in the message's text."""
    found = []
    entries = item.get("files") if isinstance(item.get("files"), list) else []
    for entry in entries:
        if isinstance(entry, dict):
            name = _text(entry.get("filename"), 255) or _basename(entry.get("filepath"))
            found.append(carried.Carried(
                name=name or "file",
                data=carried.data_url(entry.get("filepath")),
                file_id=_text(entry.get("file_id"), 100),
            ))  # fmt: skip
    parts = item.get("content") if isinstance(item.get("content"), list) else []
    for part in parts:
        if not isinstance(part, dict) or part.get("type") != "image_url":
            continue
        image = part.get("image_url")
        url = image.get("url") if isinstance(image, dict) else image
        if isinstance(url, str):
            data = carried.data_url(url)
            found.append(carried.Carried(name="image" if data else _basename(url), data=data))
    return found[:MAX_FILES]


def _basename(value: Any) -> str:
    """The last part of a path or URL (without its query), as a file's name."""
    if not isinstance(value, str) or value.startswith("data:"):
        return ""
    return value.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1][:255]


def _flatten(items: list) -> Iterator[tuple[dict, str | None]]:
    """LibreChat's recursive exports nest replies under `children`: each message with its
    tree parent, depth first, without recursion (a long conversation nests deep)."""
    stack: list[tuple[Any, str | None]] = [(item, None) for item in reversed(items)]
    while stack:
        item, parent = stack.pop()
        if not isinstance(item, dict):
            raise BadRequest("Each LibreChat message is a JSON object.")
        yield item, parent
        children = item.get("children") or []
        if not isinstance(children, list):
            raise BadRequest(f"message {item.get('messageId')}: 'children' is a list.")
        key = str(item.get("messageId"))
        stack.extend((child, key) for child in reversed(children))


def _librechat_text(item: dict) -> str:
    if isinstance(item.get("text"), str) and item["text"]:
        return item["text"]
    parts = item.get("content") if isinstance(item.get("content"), list) else []
    texts = []
    for part in parts:
        value = part.get("text") if isinstance(part, dict) else None
        if isinstance(value, dict):
            value = value.get("value")
        if isinstance(value, str):
            texts.append(value)
    return "\n".join(texts)


def _librechat_state(item: dict) -> str:
    if item.get("error"):
        return Message.State.ERROR
    if item.get("unfinished"):
        return Message.State.ABORTED
    return Message.State.COMPLETE


def _create(user, header: dict, rows: list[dict]) -> Conversation:
    """The conversation, then its messages IMPORT_BATCH_MESSAGES to a transaction, so a
    long import never holds the database's write lock (all of SQLite) for long. A
    failure part-way deletes what was written, the files it stored too, and raises."""
    ordered = _parents_first(rows, _unique_keys(rows))  # every check before the first write
    header = dict(header)
    tags = header.pop("tags", [])
    conversation = Conversation.objects.create(owner=user, **header)
    stored: list[StoredFile] = []
    try:
        created: dict[str, Message] = {}
        size = settings.IMPORT_BATCH_MESSAGES
        for start in range(0, len(ordered), size):
            batch = ordered[start : start + size]
            files = _carry(user, batch, stored)
            with transaction.atomic():
                Message.objects.bulk_create(_message(conversation, row, created) for row in batch)
                ToolStep.objects.bulk_create(
                    ToolStep(message=created[row["key"]], position=i, **fields)
                    for row in batch
                    for i, fields in enumerate(row.get("steps", ()))
                )
                for key, found in files.items():
                    attachments.attach(created[key], found)
        if tags and bookmarks.enabled():
            bookmarks.set_tags(user, conversation, tags)
    except BaseException:
        conversation.delete()  # no half conversation is left behind
        carried.discard(stored)
        raise
    return conversation


def _carry(user, batch: list[dict], stored: list[StoredFile]) -> dict[str, list[StoredFile]]:
    """The batch's files, found or stored for `user`; each missing one named in its
    message's text."""
    files = {}
    for row in batch:
        if row.get("files"):
            found = carried.carry(user, row["files"])
            stored += found.stored
            row["text"] = carried.with_placeholders(row["text"], found.missing)
            files[row["key"]] = found.files
    return files


def _tag_names(conversation: Conversation) -> list[str]:
    return [tag.name for tag in conversation.tags.all()]


def _tags(value: Any) -> list[str]:
    """A file's bookmark names (LibreChat's `tags`): the usable ones, the rest left out."""
    names = [v.strip() for v in value if isinstance(v, str)] if isinstance(value, list) else []
    return [name for name in names if 0 < len(name) <= NAME_MAX][:MAX_TAGS]


def _instructions(value: Any) -> str:
    try:
        return instructions.checked(_text(value))
    except instructions.TooLong as long:
        raise BadRequest(str(long)) from None


def _message(conversation: Conversation, row: dict, created: dict[str, Message]) -> Message:
    fields = {k: v for k, v in row.items() if k not in ("key", "parent", "steps", "files")}
    parent = created.get(row["parent"]) if row["parent"] else None
    message = Message(conversation=conversation, parent=parent, **fields)
    created[row["key"]] = message
    return message


def _unique_keys(rows: list[dict]) -> set[str]:
    keys: set[str] = set()
    for row in rows:
        if row["key"] in keys:
            raise BadRequest(f"Two messages have the id {row['key'][:80]!r}.")
        keys.add(row["key"])
    return keys


def _parents_first(rows: list[dict], keys: set[str]) -> list[dict]:
    """Order rows so that each parent precedes its children; unknown parents become roots."""
    children: dict[str | None, list[dict]] = {}
    for row in rows:
        if row["parent"] not in keys:
            row["parent"] = None
        children.setdefault(row["parent"], []).append(row)
    ordered, stack = [], list(reversed(children.get(None, [])))
    while stack:
        row = stack.pop()
        ordered.append(row)
        stack.extend(reversed(children.get(row["key"], [])))
    if len(ordered) != len(rows):
        raise BadRequest("The messages' parent links form a cycle.")
    return ordered


def _text(value: Any, limit: int | None = None) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _count(value: Any, where: str) -> int:
    """A token count; anything but a whole number counts 0, a number out of range is refused."""
    if not isinstance(value, int) or isinstance(value, bool):
        return 0
    if not 0 <= value <= MAX_COUNT:
        raise BadRequest(f"{where}: a count from 0 to {MAX_COUNT}, not {value}.")
    return value


def _state(value: Any) -> str:
    if value == Message.State.STREAMING:
        return Message.State.INTERRUPTED
    return value if value in Message.State.values else Message.State.COMPLETE


def _when(value: Any, where: str) -> datetime:
    """An ISO 8601 time (UTC when it names no zone); no time or an unreadable one is now.
    A time that exists only outside the years 1 to 9999 in UTC cannot be stored."""
    if not isinstance(value, str):
        return timezone.now()
    try:
        stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return timezone.now()
    try:
        return stamp.astimezone(UTC) if stamp.tzinfo else stamp.replace(tzinfo=UTC)
    except OverflowError:
        raise BadRequest(f"{where}: {value[:40]} is out of range.") from None
