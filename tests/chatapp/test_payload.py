"""Client JSON is decoded and checked once; each problem is named (chatapp/payload.py)."""

import pytest

from chatapp.payload import MAX_INT, BadInput, check, loads


@pytest.mark.parametrize(
    ("raw", "named"),
    [
        ("[" * 100_000 + "]" * 100_000, "nests deeper than 32 levels"),
        ('{"a": ' * 40 + "1" + "}" * 40, "nested deeper than 32 levels"),
        ('{"t": NaN}', "NaN is not a number"),
        ('{"t": -Infinity}', "-Infinity is not a number"),
        ('{"t": 1e999}', "t: not a finite number"),
        ('{"n": [1, 99999999999999999999]}', "n[1]: the integer is out of range"),
        ('{"n": 1' + "0" * 5000 + "}", "not valid JSON"),
        ('{"text": "a\\u0000b"}', "text: contains a NUL character"),
        ('{"text": "\\ud800"}', "text: contains an unpaired surrogate"),
        ('{"a\\u0000": 1}', "the value: a key: contains a NUL"),
        ("{'single': 1}", "not valid JSON: Expecting property name"),
        (b"\xff\xfe", "not UTF-8"),
    ],
)
def test_each_problem_is_refused_by_name(raw, named):
    with pytest.raises(BadInput, match=named.replace("[", r"\[").replace("]", r"\]")):
        loads(raw)


def test_good_json_passes_unchanged():
    raw = '{"a": [1, 2.5, "x", null, true, {"b": -9223372036854775807}], "😀": "ok \\ud83d\\ude00"}'
    assert loads(raw) == {"a": [1, 2.5, "x", None, True, {"b": -MAX_INT}], "😀": "ok 😀"}


def test_depth_is_a_parameter():
    deep = {"a": {"b": {"c": 1}}}
    check(deep, max_depth=3)
    with pytest.raises(BadInput, match="a.b: nested deeper than 2 levels"):
        check(deep, max_depth=2)
