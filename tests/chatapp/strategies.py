"""Hypothesis strategies for hostile client input: any JSON, and the values that break
databases and parsers (NUL, lone surrogates, huge integers, NaN, deep nesting)."""

from __future__ import annotations

import json
import uuid

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Modest and repeatable: the suite stays fast and CI sees the same examples every run.
FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Every code point, lone surrogates and NUL included (st.text leaves surrogates out).
any_text = st.text(st.characters(exclude_categories=()), max_size=40)
hostile_text = st.one_of(
    any_text,
    st.sampled_from(["\x00", "a\x00b", "\ud800", "x\udfff", "", " ", "😀", "9" * 30]),
)
numbers = st.one_of(
    st.integers(),
    st.integers(min_value=2**62, max_value=2**80),
    st.floats(),  # NaN and ±Infinity included: json.dumps writes them as bare words
    st.sampled_from([10**30, -(10**30), 2**63, 2**31, -1]),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, hostile_text)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(hostile_text, inner, max_size=4),
    max_leaves=12,
)
ids = st.one_of(st.uuids().map(str), st.just(str(uuid.UUID(int=0))), json_values)


def nested(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


deep = st.sampled_from([nested(40), nested(2_000), "[" * 100_000 + "]" * 100_000])
dates = st.one_of(
    st.datetimes().map(lambda d: d.isoformat()),
    st.sampled_from(["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00",
                     "2024-02-30T00:00:00Z", "yesterday", "+275760-09-13T00:00:00.000Z"]),
    json_values,
)  # fmt: skip


def dumps(value) -> str:
    return json.dumps(value)  # lone surrogates are escaped, NaN written as NaN
