"""Search from the sidebar filter box: results with highlighted snippets, opening a result at
its message, an empty result, and Chinese text found by substring."""

import json

import pytest

from tests.e2e.conftest import shot

pytestmark = pytest.mark.e2e
HIT = "[data-testid=conversation-item].search-hit"


def import_conversation(page, title: str, texts: list[str]) -> str:
    """A conversation of alternating user/assistant messages, through the import API."""
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    messages, parent = [], None
    for n, text in enumerate(texts):
        role = "user" if n % 2 == 0 else "assistant"
        messages.append({"id": f"m{n}", "parent_id": parent, "role": role, "text": text})
        parent = f"m{n}"
    header = {"title": title, "endpoint": "Mock", "model": "mock-model"}
    export = {"format": "parley", "version": 1, "conversation": header, "messages": messages}
    response = page.request.post(
        "/api/conversations/import",
        data=json.dumps(export),
        headers={"X-CSRFToken": token, "Content-Type": "application/json"},
    )
    assert response.status == 201, response.text()
    return response.json()["id"]


def test_search_as_you_type_and_open_the_matching_message(signed_in):
    page = signed_in
    filler = [f"Message number {n} about nothing in particular. " * 6 for n in range(30)]
    texts = ["Where should we eat in Lisbon?", "Try the pastel de nata.", *filler]
    trip = import_conversation(page, "Holiday plans", texts)
    import_conversation(page, "Quarterly report", ["Numbers for Q3", "Revenue grew"])
    page.reload()

    page.fill("[data-testid=conversation-filter]", "lisb")
    page.wait_for_selector(f"{HIT} mark")
    assert page.locator(HIT).count() == 1
    snippet = page.locator(f"{HIT}[data-conversation-id='{trip}'] [data-testid=search-snippet]")
    assert snippet.first.locator("mark").inner_text() == "Lisb"
    shot(page, "search-results")

    message_id = snippet.first.get_attribute("data-jump")
    snippet.first.click()
    page.wait_for_url(lambda url: url.endswith(f"/c/{trip}?at={message_id}"))
    target = page.locator(f"[data-message-id='{message_id}']")
    jumped = "id => document.querySelector(`[data-message-id='${id}'].search-jump`) !== null"
    page.wait_for_function(jumped, arg=message_id)
    assert target.is_visible() and target.bounding_box()["y"] < 820  # scrolled into view
    assert "Lisbon" in target.inner_text()
    shot(page, "search-opened")


def test_an_empty_result_says_so_and_clearing_lists_again(signed_in):
    page = signed_in
    import_conversation(page, "Gardening", ["When to plant tulips?", "In autumn."])
    page.reload()
    page.fill("[data-testid=conversation-filter]", "zebra crossing")
    page.wait_for_selector("[data-testid=search-empty]")
    assert "No conversation matches." in page.inner_text("#conversation-list")
    page.fill("[data-testid=conversation-filter]", "")
    page.wait_for_selector("[data-testid=conversation-item]:not(.search-hit)")


def test_chinese_text_is_found_by_substring(signed_in):
    page = signed_in
    chat = import_conversation(page, "新对话", ["我们今天讨论搜索引擎的设计", "好的"])
    page.reload()
    page.fill("[data-testid=conversation-filter]", "搜索")
    page.wait_for_selector(f"{HIT}[data-conversation-id='{chat}'] mark")
    assert page.locator(f"{HIT} mark").first.inner_text() == "搜索"
