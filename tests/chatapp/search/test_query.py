import pytest

from chatapp.search.query import (
    MAX_OFFSET,
    MAX_QUERY_CHARS,
    MAX_TERMS,
    BadCursor,
    Segment,
    decode_cursor,
    encode_cursor,
    highlight,
    is_cjk,
    parse,
)


def test_parse_lowercases_splits_and_deduplicates():
    query = parse("  Python  ERROR python\tgo ")
    assert query.text == "Python ERROR python go"
    assert query.terms == ("python", "error", "go")


def test_parse_keeps_syntax_characters_as_text():
    assert parse('"exact" -not c++ a:b *').terms == ('"exact"', "-not", "c++", "a:b")


def test_empty_and_punctuation_only_queries_have_no_terms():
    assert not parse("")
    assert not parse(None)
    assert not parse("  - * ")


def test_huge_query_is_capped():
    query = parse("word " * 10_000)
    assert len(query.text) <= MAX_QUERY_CHARS
    assert parse(" ".join(f"w{n}" for n in range(50))).terms == tuple(
        f"w{n}" for n in range(MAX_TERMS)
    )


def test_cursor_round_trip_and_bad_cursors():
    assert decode_cursor(None) == 0
    assert decode_cursor(encode_cursor(40)) == 40
    for bad in ("nonsense!", encode_cursor(MAX_OFFSET + 1), "cy0x", "LTE="):
        with pytest.raises(BadCursor):
            decode_cursor(bad)


def test_highlight_marks_every_term_in_a_window_around_the_first():
    text = "x" * 300 + " the Python error was here " + "y" * 300
    pieces = highlight(text, ("python", "error"))
    assert pieces[0] == Segment("…") and pieces[-1] == Segment("…")
    assert [p.text for p in pieces if p.hit] == ["Python", "error"]
    assert "".join(p.text for p in pieces[1:-1]) in text


def test_highlight_without_a_match_shows_the_start():
    assert highlight("short text", ("zzz",)) == (Segment("short text"),)
    assert highlight("", ("zzz",)) == ()


def test_cjk_detection():
    assert is_cjk("搜索") and is_cjk("検索") and is_cjk("검색")
    assert not is_cjk("search")
