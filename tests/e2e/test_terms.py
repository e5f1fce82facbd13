"""The terms of service modal as a user meets it: it opens on the chat page, Escape does
not close it, accepting records it, and it does not come back."""

import json
from collections.abc import Iterator

import pytest

from tests.e2e.conftest import PASSWORD, run_parley, shot, watched_page

pytestmark = pytest.mark.e2e
ANSWER = "[data-testid=message][data-role=assistant][data-state=complete]"


@pytest.fixture(scope="module")
def terms_server(_mock_provider_server, tmp_path_factory) -> Iterator[object]:
    endpoint = {
        "name": "Mock",
        "apiKey": "mock-key",
        "baseURL": _mock_provider_server.openai_url,
        "models": {"default": ["mock-model"]},
    }
    interface = {
        "customWelcome": "Hello {{user.name}}",
        "termsOfService": {
            "externalUrl": "https://example.com/tos",
            "modalAcceptance": True,
            "modalTitle": "House rules",
            "modalContent": "# Rules\n\nBe **kind**.",
        },
    }
    config = json.dumps(
        {"version": "1.3.14", "endpoints": {"custom": [endpoint]}, "interface": interface}
    )
    data = tmp_path_factory.mktemp("e2e-terms")
    with run_parley(_mock_provider_server, data, users=1, config=config) as server:
        yield server


def test_the_terms_modal_must_be_accepted_once(browser, terms_server):
    with watched_page(browser, terms_server.url) as page:
        page.goto("/accounts/login/")
        page.fill("input[name=login]", terms_server.next_email())
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        dialog = page.locator("[data-testid=terms-dialog]")
        dialog.wait_for(state="visible")
        assert "House rules" in dialog.inner_text()
        page.wait_for_selector("[data-testid=terms-dialog] .terms-content strong")  # Markdown
        shot(page, "terms-modal")
        page.keyboard.press("Escape")
        assert dialog.is_visible()  # Escape does not dismiss it
        page.click("[data-testid=terms-accept]")
        page.wait_for_selector("[data-testid=composer]")
        assert page.locator("[data-testid=terms-dialog]").count() == 0
        assert page.locator("[data-testid=welcome]").inner_text().startswith("Hello ")
        page.fill("[data-testid=composer]", "echo: accepted")
        page.keyboard.press("Enter")
        page.wait_for_selector(ANSWER)
        page.reload()
        page.wait_for_selector("[data-testid=composer]")
        assert page.locator("[data-testid=terms-dialog]").count() == 0
