"""Tool steps in the browser: an answer that used tools shows each step, collapsed; a
reload while a tool runs shows the running step again; stop cancels it.

The suite's server offers the in-process echo tool (PARLEY_ECHO_TOOL). The mock provider
scripts the calls: `tool: echo {...}` calls it, and `delay` keeps it running until stopped,
so "mid-tool" needs no timing."""

import pytest

from tests.e2e.conftest import shot

pytestmark = pytest.mark.e2e
ANSWER = "[data-testid=message][data-role=assistant]"
STEP = "[data-testid=tool-step]"


def send(page, text: str) -> None:
    page.fill("[data-testid=composer]", text)
    page.keyboard.press("Enter")


def test_an_answer_shows_its_tool_steps(signed_in):
    page = signed_in
    send(page, 'tools: echo {"text": "alpha"}; echo {"text": "beta"}')
    page.wait_for_selector(f"{ANSWER}[data-state=complete]")
    answer = page.locator(ANSWER).last
    assert (
        answer.locator("[data-testid=message-body]").inner_text().strip() == "result: alpha; beta"
    )
    steps = answer.locator(STEP)
    assert steps.count() == 2
    assert [steps.nth(i).get_attribute("data-state") for i in range(2)] == ["done", "done"]
    first = steps.first
    assert not first.locator("[data-testid=tool-step-result]").is_visible()  # collapsed
    first.locator("summary").click()
    assert first.locator("[data-testid=tool-step-result]").inner_text() == "alpha"
    shot(page, "tool-steps")
    page.reload()  # the saved steps, rendered by the server
    page.wait_for_selector(f"{ANSWER}[data-state=complete] {STEP}[data-state=done]")
    assert page.locator(f"{ANSWER} {STEP}").count() == 2


def test_a_reload_mid_tool_shows_the_running_step_and_stop_cancels_it(signed_in):
    page = signed_in
    send(page, 'tool: echo {"text": "slow", "delay": 120}')
    page.wait_for_selector(f"{ANSWER} {STEP}[data-state=running]")
    page.wait_for_url("**/c/*")
    page.reload()
    running = page.locator(f"{ANSWER} {STEP}[data-state=running]")
    running.wait_for()
    assert running.locator("[data-testid=tool-step-state]").inner_text() == "Running…"
    page.wait_for_selector("[data-testid=stop]", state="visible")
    shot(page, "tool-step-running")
    page.click("[data-testid=stop]")
    page.wait_for_selector(f"{ANSWER}[data-state=aborted] {STEP}[data-state=cancelled]")
    step = page.locator(f"{ANSWER} {STEP}").first
    assert step.locator("[data-testid=tool-step-state]").inner_text() == "Stopped"
    page.wait_for_selector("[data-testid=stop]", state="hidden")
