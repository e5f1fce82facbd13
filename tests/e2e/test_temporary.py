"""A temporary chat as a user starts one: the switch on a new chat, the answer, the page
saying it is temporary, and a sidebar that never lists it."""

import pytest

from tests.e2e.conftest import shot

pytestmark = pytest.mark.e2e
ANSWER = "[data-testid=message][data-role=assistant]"
ITEM = "[data-testid=conversation-item]"


def test_a_temporary_chat_stays_out_of_the_sidebar_and_says_so(signed_in):
    page = signed_in
    page.click("[data-testid=temporary-toggle]")
    shot(page, "temporary-switch")
    page.fill("[data-testid=composer]", "echo: gone soon")
    page.keyboard.press("Enter")
    page.wait_for_function(
        f"() => document.querySelectorAll('{ANSWER}[data-state=complete]').length === 1"
    )
    assert page.locator(ANSWER).last.inner_text().strip().endswith("gone soon")
    page.wait_for_url("**/c/*")
    page.reload()
    note = page.locator("[data-testid=temporary-note]")
    assert "Temporary chat" in note.inner_text()
    assert page.locator(ITEM).count() == 0
    shot(page, "temporary-chat")
