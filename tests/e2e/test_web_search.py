"""Web search in the browser: the globe in the composer is sent with a message and kept
on the conversation; the keys dialog asks for what the operator left unset."""

import pytest

from tests.e2e.conftest import shot

pytestmark = pytest.mark.e2e
ANSWER = "[data-testid=message][data-role=assistant]"


def test_the_globe_is_kept_on_the_conversation(signed_in):
    page = signed_in
    toggle = page.locator("[data-testid=web-search-toggle]")
    assert not toggle.is_checked()
    page.click(".web-search-switch")
    assert toggle.is_checked()
    shot(page, "web-search-globe")
    page.fill("[data-testid=composer]", "echo: globe on")
    page.keyboard.press("Enter")
    page.wait_for_function(
        f"() => document.querySelectorAll('{ANSWER}[data-state=complete]').length === 1"
    )
    page.wait_for_url("**/c/*")
    page.reload()
    assert page.locator("[data-testid=web-search-toggle]").is_checked()


def test_the_keys_dialog_saves_a_users_key(signed_in):
    page = signed_in
    page.click("[data-testid=web-search-keys]")
    dialog = page.locator("[data-testid=web-search-keys-dialog]")
    dialog.wait_for()
    shot(page, "web-search-keys")
    page.fill("[data-testid=web-search-key-serperApiKey]", "sk-serper-from-the-browser")
    page.click("[data-testid=web-search-keys-save]")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=web-search-keys]')?.textContent.trim()"
        " === 'Web search keys'"
    )
