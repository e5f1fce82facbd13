"""The prompts library in Chromium: a prompt with an unclosed {{ is refused by the form; saved,
it is inserted from the composer's slash menu, its custom variable asked in a dialog and the
special ones filled in, a {{name:a|b}} variable offered as a choice, then sent."""

import pytest

from tests.e2e.conftest import shot

pytestmark = pytest.mark.e2e


def test_slash_menu_inserts_a_prompt_with_its_variables(signed_in):
    page = signed_in
    page.goto("/prompts/new")
    page.fill("input[name=name]", "Translate")
    page.fill("input[name=command]", "translate")
    page.fill("input[name=oneliner]", "Translate into a language")
    page.fill("textarea[name=text]", "echo: {{current_user}} wants {{language")
    page.click("[data-testid=prompt-save]")
    assert "has no closing" in page.locator("[data-testid=field-error]").inner_text()
    page.fill(
        "textarea[name=text]",
        "echo: {{current_user}} wants {{language}} {{tone:formal|casual}} on {{current_date}}",
    )
    page.click("[data-testid=prompt-save]")
    page.wait_for_selector("[data-testid=production]")

    page.goto("/")
    composer = page.locator("[data-testid=composer]")
    composer.press_sequentially("/tra")
    option = page.locator("[data-testid=slash-option]")
    option.wait_for()
    assert option.inner_text().startswith("/translate")
    shot(page, "slash-menu")
    composer.press("Enter")  # picks the prompt: nothing is sent yet
    page.wait_for_selector("[data-testid=prompt-variables][open]")
    page.fill("[data-testid=prompt-variable][name=language]", "Korean")
    choice = page.locator("[data-testid=prompt-choice][name=tone]")  # {{tone:formal|casual}}
    assert choice.locator("option").all_inner_texts() == ["formal", "casual"]
    choice.select_option("casual")
    shot(page, "prompt-variables")
    page.click("[data-testid=prompt-insert]")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=composer]').value !== '/tra'"
    )
    text = composer.input_value()
    assert text.startswith(f"echo: {page.email} wants Korean casual on 20")
    assert page.locator("[data-testid=message]").count() == 0
    composer.press("Enter")
    answer = page.locator("[data-testid=message][data-role=assistant][data-state=complete]")
    answer.wait_for()
    assert text.removeprefix("echo: ") in answer.inner_text()
