"""Bookmarks as a user keeps them: tag a conversation from its menu, then filter the
sidebar by that tag."""

import pytest

from tests.e2e.conftest import shot
from tests.e2e.test_sidebar import import_conversation, open_menu

pytestmark = pytest.mark.e2e
ITEM = "[data-testid=conversation-item]"


def test_bookmark_a_conversation_and_filter_by_it(signed_in):
    page = signed_in
    trip = import_conversation(page, "Holiday in Lisbon")
    import_conversation(page, "Quarterly report")
    page.reload()
    open_menu(page, trip).locator("[data-testid=bookmark]").click()
    page.fill("[data-testid=bookmark-new]", "travel")
    shot(page, "bookmarks-dialog")
    page.click("[data-testid=bookmarks-save]")
    page.wait_for_selector("[data-testid=bookmarks-dialog]", state="detached")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=bookmark-filter]')"
        ".innerText.includes('travel (1)')"
    )
    page.select_option("[data-testid=bookmark-filter]", label="travel (1)")
    page.wait_for_function(f"() => document.querySelectorAll('{ITEM}').length === 1")
    assert page.locator(ITEM).first.get_attribute("data-conversation-id") == trip
    shot(page, "bookmarks-filter")
