"""JSON from outside (API bodies, imports, socket frames): decoded and checked once.

Python's json module takes input that the database or a later step cannot:
nesting deep enough to exhaust the stack, NaN and Infinity (invalid JSON for
PostgreSQL), integers of any size, NUL characters (PostgreSQL text refuses them)
and lone surrogates (not encodable as UTF-8). `loads` and `check` refuse each
with a `BadInput` whose message names where the problem is, so every edge can
answer a 400 or an `error` frame instead of failing later.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_DEPTH = 32  # API bodies and socket frames: nothing legitimate nests deeper
MAX_INT = 2**63 - 1  # what a 64-bit column or another JSON parser holds
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class BadInput(ValueError):
    """Client input that cannot be used; the message names the problem."""


def loads(raw: str | bytes, *, what: str = "The body", max_depth: int = MAX_DEPTH) -> Any:
    """Decode and `check` one JSON document from a client."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise BadInput(f"{what} is not UTF-8 text.") from None
    try:
        value = json.loads(raw, parse_constant=_no_constant)
    except RecursionError:
        raise BadInput(f"{what} nests deeper than {max_depth} levels.") from None
    except ValueError as error:
        reason = error.args[0] if isinstance(error, BadInput) else _reason(error)
        raise BadInput(f"{what} is not valid JSON: {reason}") from None
    check(value, max_depth=max_depth)
    return value


def check(value: Any, *, max_depth: int = MAX_DEPTH, where: str = "") -> None:
    """Raise BadInput for nesting past `max_depth` or a value that cannot be stored."""
    stack = [(value, where, 0)]
    while stack:  # iterative: the depth is what is being checked
        item, path, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth >= max_depth:
                raise BadInput(f"{path or 'the value'}: nested deeper than {max_depth} levels.")
            pairs = item.items() if isinstance(item, dict) else enumerate(item)
            for key, child in pairs:
                if isinstance(key, str):
                    check_text(key, f"{path or 'the value'}: a key")
                stack.append((child, _join(path, key), depth + 1))
        elif isinstance(item, str):
            check_text(item, path or "the value")
        elif isinstance(item, int) and not isinstance(item, bool) and abs(item) > MAX_INT:
            raise BadInput(f"{path or 'the value'}: the integer is out of range (±{MAX_INT}).")
        elif isinstance(item, float) and not math.isfinite(item):
            raise BadInput(f"{path or 'the value'}: not a finite number.")


def check_text(text: str, where: str) -> None:
    """Refuse text the database cannot store (NUL, lone surrogates)."""
    found = _UNSTORABLE.search(text)
    if found:
        kind = "a NUL character" if found.group() == "\x00" else "an unpaired surrogate"
        raise BadInput(f"{where}: contains {kind}.")


def _join(path: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def _no_constant(name: str) -> Any:
    raise BadInput(f"{name} is not a number JSON allows.")


def _reason(error: ValueError) -> str:
    if isinstance(error, json.JSONDecodeError):
        return f"{error.msg} at line {error.lineno} column {error.colno}."
    return f"{error}."  # e.g. an integer with more digits than Python converts
