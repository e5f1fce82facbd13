"""websearch.sources: the source cards of a message, from its steps (rows or dicts)."""

from __future__ import annotations

from types import SimpleNamespace

from django.template.loader import render_to_string

from chatapp.tools.websearch.sources import sources_of

SOURCES = [
    {"index": 2, "url": "https://b.example/x", "title": "B", "snippet": "b", "ok": False,
     "error": "not a web page (image/png)"},
    {"index": 1, "url": "https://a.example/", "title": "A", "snippet": "a", "ok": True,
     "error": ""},
    {"index": 3, "url": "javascript:alert(1)", "title": "evil", "ok": True},
]  # fmt: skip
STEP = {"tool": "web_search", "data": {"query": "q", "sources": SOURCES}}


def test_sources_come_in_number_order_and_only_web_urls() -> None:
    cards = sources_of([STEP, {"tool": "echo", "data": {"sources": SOURCES}}])
    assert [c["index"] for c in cards] == [1, 2]
    assert cards[1] == {
        "index": 2,
        "url": "https://b.example/x",
        "host": "b.example",
        "title": "B",
        "snippet": "b",
        "ok": False,
        "error": "not a web page (image/png)",
    }


def test_rows_and_dicts_alike() -> None:
    row = SimpleNamespace(tool="web_search", data=STEP["data"])
    assert sources_of([row]) == sources_of([STEP])
    assert sources_of(None) == [] and sources_of([{"tool": "web_search", "data": "x"}]) == []


def test_an_answer_renders_its_cards_escaped() -> None:
    step = {"tool": "web_search", "data": {"sources": [{**SOURCES[1], "title": "<b>A</b>"}]}}
    message = {"id": "m", "role": "assistant", "text": "It is so [1].", "tool_steps": [step]}
    html = render_to_string(
        "chatapp/message.html", {"m": message, "role": "assistant", "readonly": True}
    )
    assert 'data-testid="sources" aria-label="Sources">' in html
    assert 'href="https://a.example/"' in html and "&lt;b&gt;A&lt;/b&gt;" in html
    bare = render_to_string("chatapp/message.html", {"m": {"text": "x"}, "role": "assistant"})
    assert 'data-testid="sources" aria-label="Sources" hidden>' in bare
