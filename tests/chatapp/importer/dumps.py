"""mongodumps in LibreChat's schemas, written with bson.encode in mongodump's layout."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import bcrypt
import bson
from bson import ObjectId

NO_PARENT = "00000000-0000-0000-0000-000000000000"
T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def write(directory: Path, collections: dict[str, list[dict[str, Any]]]) -> Path:
    """DIR/LibreChat/<collection>.bson for each collection; returns DIR."""
    database = directory / "LibreChat"
    database.mkdir(parents=True, exist_ok=True)
    for name, documents in collections.items():
        (database / f"{name}.bson").write_bytes(b"".join(bson.encode(d) for d in documents))
    return directory


def bcrypt_hash(password: str, prefix: bytes = b"2b") -> str:
    """As bcryptjs writes it (cost 10), `$2a$` for older LibreChat versions."""
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(10, prefix=prefix)).decode()


def user(email: str, password: str | None = "pw-secret-1", **fields: Any) -> dict[str, Any]:
    document = {
        "_id": ObjectId(),
        "name": email.split("@")[0].title(),
        "username": email.split("@")[0],
        "email": email,
        "emailVerified": True,
        "provider": "local",
        "role": "USER",
        "plugins": [],
        "refreshToken": [],
        "createdAt": T0,
        "updatedAt": T0,
        "__v": 0,
    }
    if password is not None:
        document["password"] = bcrypt_hash(password)
    return document | fields


def conversation(owner: dict, **fields: Any) -> dict[str, Any]:
    return {
        "_id": ObjectId(),
        "conversationId": str(uuid.uuid4()),
        "user": str(owner["_id"]),
        "title": "Imported chat",
        "endpoint": "openAI",
        "model": "gpt-4o",
        "temperature": 0.5,
        "messages": [],
        "isArchived": False,
        "createdAt": T0,
        "updatedAt": T0 + timedelta(hours=1),
    } | fields


def tag(owner: dict, name: str, **fields: Any) -> dict[str, Any]:
    """A `conversationtags` document (LibreChat 0.7.4 on): `user` is the id as a string."""
    return {
        "_id": ObjectId(),
        "tag": name,
        "user": str(owner["_id"]),
        "description": "",
        "count": 0,
        "position": 0,
        "createdAt": T0,
        "updatedAt": T0,
        "__v": 0,
    } | fields


def message(conv: dict, parent: str | None, text: str | None, **fields: Any) -> dict[str, Any]:
    """A 0.7-style message (text only); pass content=[...] for 0.8's parts."""
    document = {
        "_id": ObjectId(),
        "messageId": str(uuid.uuid4()),
        "conversationId": conv["conversationId"],
        "user": conv["user"],
        "parentMessageId": parent or NO_PARENT,
        "isCreatedByUser": True,
        "sender": "User",
        "endpoint": conv["endpoint"],
        "model": None,
        "error": False,
        "unfinished": False,
        "tokenCount": 5,
        "createdAt": T0,
        "updatedAt": T0,
    }
    if text is not None:
        document["text"] = text
    return document | fields


def prompt_group(owner: dict, name: str, **fields: Any) -> dict[str, Any]:
    """A `promptgroups` document (LibreChat 0.7.4 on): `author` is the user's ObjectId;
    `productionId` is set by `prompt(..., production=True)`."""
    return {
        "_id": ObjectId(),
        "name": name,
        "numberOfGenerations": 0,
        "oneliner": "",
        "category": "",
        "projectIds": [],
        "author": owner["_id"],
        "authorName": owner["name"],
        "createdAt": T0,
        "updatedAt": T0,
        "__v": 0,
    } | fields


def prompt(group: dict, text: str, production: bool = False, **fields: Any) -> dict[str, Any]:
    """A `prompts` document: one version of `group`'s text."""
    document = {
        "_id": ObjectId(),
        "groupId": group["_id"],
        "author": group["author"],
        "prompt": text,
        "type": "text",
        "createdAt": T0,
        "updatedAt": T0,
        "__v": 0,
    } | fields
    if production:
        group["productionId"] = document["_id"]
    return document
