"""An endpoint that asks each user for their own API key."""

import pytest

from tests.e2e.conftest import shot

pytestmark = pytest.mark.e2e


def test_enter_a_key_and_chat_with_it(signed_in, mock_provider):
    page = signed_in
    page.select_option("[data-testid=endpoint-select]", "Own key")
    button = page.locator("[data-testid=user-key]")
    button.wait_for()
    assert button.inner_text().strip() == "Set your API key"
    page.fill("[data-testid=composer]", "echo: without a key")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=user-key-dialog]")  # the refusal opens the dialog
    assert page.locator("[data-testid=composer]").input_value() == "echo: without a key"
    page.fill("[data-testid=user-key-input]", "sk-user-own-9876")
    page.select_option("[data-testid=user-key-expiry]", "7d")
    shot(page, "user-key")
    page.click("[data-testid=user-key-save]")
    page.wait_for_selector("[data-testid=user-key-dialog]", state="detached")
    assert button.inner_text().strip() == "Key sk-…9876"
    assert "sk-user-own-9876" not in page.content()
    page.click("[data-testid=send]")
    page.wait_for_selector("[data-testid=message][data-role=assistant][data-state=complete]")
    assert mock_provider.last_request.header("authorization") == "Bearer sk-user-own-9876"
    page.goto("/keys")
    assert page.locator("[data-testid=key-row]").inner_text().startswith("Own key")
    page.click("[data-testid=key-revoke]")
    page.wait_for_selector(".empty-note")
