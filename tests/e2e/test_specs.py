"""The model specs menu as a user meets it: grouped and ordered, with icons and
descriptions; picking a spec runs the next message on its preset."""

import pytest

from tests.e2e.conftest import shot

pytestmark = pytest.mark.e2e
ANSWER = "[data-testid=message][data-role=assistant]"


def test_the_spec_menu_picks_a_spec_that_runs_the_chat(signed_in, parley_server):
    page = signed_in
    page.click("[data-testid=spec-current]")
    options = page.locator("[data-testid=spec-option]")
    assert [options.nth(i).get_attribute("data-spec") for i in range(2)] == ["quick", "writer"]
    writer = page.locator("[data-testid=spec-option][data-spec=writer]")
    assert "Long, careful prose" in writer.inner_text()
    assert writer.locator("svg, img").count() == 1  # its icon
    assert "Writing" in page.locator(".spec-group-title").inner_text()
    shot(page, "spec-menu")
    writer.click()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=spec-value]')?.value === 'writer'"
    )
    assert "Writer" in page.locator("[data-testid=spec-current]").inner_text()
    page.fill("[data-testid=composer]", "echo: by the spec")
    page.keyboard.press("Enter")
    page.wait_for_function(
        f"() => document.querySelectorAll('{ANSWER}[data-state=complete]').length === 1"
    )
    assert page.locator(ANSWER).last.inner_text().strip().endswith("by the spec")
    page.wait_for_url("**/c/*")
    page.reload()  # the conversation runs on the spec's model: the header shows the spec
    page.wait_for_selector("[data-testid=spec-current]")
    assert "Writer" in page.locator("[data-testid=spec-current]").inner_text()
