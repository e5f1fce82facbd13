"""The sidebar as a user works it: filter, rename, archive, share and delete conversations."""

import json

import pytest

from tests.e2e.conftest import shot

pytestmark = pytest.mark.e2e
ITEM = "[data-testid=conversation-item]"


def import_conversation(page, title: str, answer: str = "**Hello** there") -> str:
    """A conversation created through the import API, as a user's own export file would be."""
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    export = {
        "format": "parley",
        "version": 1,
        "conversation": {"title": title, "endpoint": "Mock", "model": "mock-model"},
        "messages": [
            {"id": "q", "parent_id": None, "role": "user", "text": f"About {title}"},
            {"id": "a", "parent_id": "q", "role": "assistant", "text": answer},
        ],
    }
    response = page.request.post(
        "/api/conversations/import",
        data=json.dumps(export),
        headers={"X-CSRFToken": token, "Content-Type": "application/json"},
    )
    assert response.status == 201, response.text()
    return response.json()["id"]


def open_menu(page, conversation_id: str):
    item = page.locator(f"{ITEM}[data-conversation-id='{conversation_id}']")
    item.hover()
    item.locator("[data-testid=conversation-menu]").click()
    return item


def test_filter_rename_archive_and_delete(signed_in):
    page = signed_in
    trip = import_conversation(page, "Holiday in Lisbon")
    work = import_conversation(page, "Quarterly report")
    page.reload()
    assert page.locator(ITEM).count() == 2
    assert page.locator(".group-label").first.inner_text() == "Today"
    shot(page, "sidebar")

    page.fill("[data-testid=conversation-filter]", "lisbon")
    page.wait_for_function(f"() => document.querySelectorAll('{ITEM}').length === 1")
    page.fill("[data-testid=conversation-filter]", "")
    page.wait_for_function(f"() => document.querySelectorAll('{ITEM}').length === 2")

    item = open_menu(page, trip)
    item.locator("[data-testid=rename]").click()
    item.locator("[data-testid=rename-input]").fill("Lisbon, May")
    item.locator("[data-testid=rename-input]").press("Enter")
    page.wait_for_selector(f"{ITEM}[data-conversation-id='{trip}'] >> text=Lisbon, May")
    page.reload()
    assert "Lisbon, May" in " ".join(page.locator(ITEM).all_inner_texts())

    open_menu(page, work).locator("[data-testid=archive]").click()
    page.wait_for_function(f"() => document.querySelectorAll('{ITEM}').length === 1")
    page.click("[data-testid=archived-tab]")
    page.wait_for_selector(f"{ITEM}[data-conversation-id='{work}']")
    shot(page, "sidebar-archived")

    page.click(f"{ITEM}[data-conversation-id='{work}'] a.title")
    page.wait_for_url(f"**/c/{work}")
    assert page.locator("[data-testid=message]").count() == 2
    page.once("dialog", lambda dialog: dialog.accept())
    open_menu(page, work).locator("[data-testid=delete]").click()
    page.wait_for_url(lambda url: url.endswith("/"))  # the open conversation is gone
    page.click("[data-testid=archived-tab]")
    page.wait_for_selector(".empty-note")
    assert page.locator(f"{ITEM}[data-conversation-id='{work}']").count() == 0


def test_open_a_conversation_from_the_sidebar(signed_in):
    page = signed_in
    first = import_conversation(page, "First", "first answer")
    second = import_conversation(page, "Second", "second answer")
    page.reload()
    page.click(f"{ITEM}[data-conversation-id='{first}'] a.title")
    page.wait_for_url(f"**/c/{first}")
    page.get_by_text("first answer").wait_for()
    assert page.title().startswith("First")
    page.click(f"{ITEM}[data-conversation-id='{second}'] a.title")
    page.get_by_text("second answer").wait_for()
    page.go_back()
    page.get_by_text("first answer").wait_for()
    page.click("[data-testid=new-chat]")
    page.get_by_text("How can I help you today?").wait_for()
