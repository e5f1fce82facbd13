"""Reading one field of a LibreChat document, across its versions' shapes.

A field that cannot be read raises `Unreadable(field, reason)`; the caller names
the record. Ids become UUIDs: LibreChat's UUID strings are kept as they are,
anything else maps to a stable UUID5, so links and second runs agree.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from bson import Decimal128, Int64, ObjectId

NO_PARENT = "00000000-0000-0000-0000-000000000000"  # LibreChat's Constants.NO_PARENT
NAMESPACE = uuid.UUID("8d3a4f52-6c1e-4b8e-9a57-3f0b2c7e1d64")  # Parley's imports


class Unreadable(ValueError):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"field {field}: {reason}")
        self.field, self.reason = field, reason


def source_id(document: dict, field: str = "_id") -> str:
    """A document's (or a reference's) id as text: ObjectIds as their hex."""
    value = document.get(field)
    if isinstance(value, ObjectId | str) and str(value):
        return str(value)
    raise Unreadable(field, "missing" if value is None else f"not an id ({type(value).__name__})")


def as_uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        return uuid.uuid5(NAMESPACE, value)


def text(document: dict, field: str, limit: int | None = None, default: str = "") -> str:
    value = document.get(field)
    if value is None:
        return default
    if not isinstance(value, str):
        raise Unreadable(field, f"not text ({type(value).__name__})")
    return value[:limit]


def flag(document: dict, field: str) -> bool:
    return bool(document.get(field))


def count(document: dict, field: str) -> int:
    """A token count: absent, null and negative read as 0."""
    value = document.get(field)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int | float | Int64):
        raise Unreadable(field, f"not a number ({type(value).__name__})")
    return max(0, int(value))


def signed(document: dict, field: str) -> int:
    value = document.get(field)
    if isinstance(value, bool) or not isinstance(value, int | float | Int64 | type(None)):
        raise Unreadable(field, f"not a number ({type(value).__name__})")
    return int(value or 0)


def decimal(document: dict, field: str) -> Decimal:
    value = document.get(field)
    if value is None:
        return Decimal(0)
    if isinstance(value, Decimal128):
        return value.to_decimal()
    if isinstance(value, bool) or not isinstance(value, int | float | Int64 | str):
        raise Unreadable(field, f"not a number ({type(value).__name__})")
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise Unreadable(field, f"not a number ({value!r:.40})") from None


def when(document: dict, field: str, default: datetime | None = None) -> datetime | None:
    """A timestamp: a BSON date, an ISO string (older exports) or epoch milliseconds."""
    value = document.get(field)
    if value is None:
        return default
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str):
        try:
            stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise Unreadable(field, f"not a date ({value!r:.40})") from None
        return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
    if isinstance(value, int | float | Int64) and not isinstance(value, bool):
        return datetime.fromtimestamp(int(value) / 1000, UTC)
    raise Unreadable(field, f"not a date ({type(value).__name__})")
