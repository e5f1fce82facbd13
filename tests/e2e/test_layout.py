"""The chat page as a user first meets it: signed in, light and dark, on a phone, in Chinese
and Korean."""

import pytest

from tests.e2e.conftest import shot

pytestmark = pytest.mark.e2e


def test_sign_in_lands_on_a_ready_chat_page(signed_in):
    page = signed_in
    assert page.locator("[data-testid=endpoint-select]").input_value() == "Mock"
    assert page.locator("[data-testid=model-select] option").all_inner_texts() == [
        "mock-model",
        "mock-large",
    ]
    assert page.locator("[data-testid=send]").is_visible()
    assert page.locator("[data-testid=stop]").is_hidden()
    assert page.locator("[data-testid=new-chat]").is_visible()
    assert page.locator("meta[name=robots]").get_attribute("content") == "noindex"
    shot(page, "home-light")


def test_theme_switch_is_remembered(signed_in):
    page = signed_in
    page.click("[data-testid=user-menu]")
    page.select_option("[data-testid=theme-select]", "dark")
    assert page.locator("html").get_attribute("data-theme") == "dark"
    page.reload()
    assert page.locator("html").get_attribute("data-theme") == "dark"
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(33, 33, 33)"
    page.click("[data-testid=params-toggle]")
    shot(page, "home-dark-parameters")


def test_phone_sidebar_is_a_drawer(signed_in):
    page = signed_in
    page.set_viewport_size({"width": 375, "height": 740})
    sidebar = page.locator("#sidebar")
    page.wait_for_timeout(300)
    assert sidebar.bounding_box()["x"] < 0  # off screen
    shot(page, "phone")
    page.click("[aria-label='Open the sidebar']")
    page.wait_for_timeout(400)
    assert sidebar.bounding_box()["x"] == 0
    shot(page, "phone-drawer")
    page.keyboard.press("Escape")
    page.wait_for_timeout(400)
    assert sidebar.bounding_box()["x"] < 0


def test_switch_language_to_chinese(signed_in):
    page = signed_in
    page.click("[data-testid=user-menu]")
    page.select_option("[data-testid=language-select]", "zh-hans")
    page.wait_for_selector("html[lang=zh-hans]")
    assert page.locator("[data-testid=new-chat]").inner_text().strip() == "新聊天"
    assert page.locator("[data-testid=composer]").get_attribute("placeholder") == "给 Parley 发消息"
    shot(page, "home-zh-hans")


def test_browser_language_korean_is_used_without_asking(browser, parley_server):
    context = browser.new_context(base_url=parley_server.url, locale="ko-KR")
    page = context.new_page()
    page.goto("/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "ko"
    context.close()


def test_switching_endpoint_keeps_the_parameters_panel_as_it_was(signed_in):
    page = signed_in
    panel = page.locator("#params")
    assert panel.is_hidden()
    page.select_option("[data-testid=endpoint-select]", "Own key")
    page.wait_for_selector("[data-testid=user-key]")
    page.wait_for_timeout(300)
    assert panel.is_hidden()
    page.click("[data-testid=params-toggle]")
    panel.wait_for(state="visible")  # Alpine applies x-show on its next tick
    page.locator("#param-temperature").wait_for(state="visible")
