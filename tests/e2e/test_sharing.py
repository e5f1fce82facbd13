"""Shared links as people use them: share, open as someone else after signing in, list on
the account page, revoke; the revoked link is gone."""

import pytest

from tests.e2e.conftest import PASSWORD, shot
from tests.e2e.test_sidebar import import_conversation, open_menu

pytestmark = pytest.mark.e2e


def share(page, conversation_id: str) -> str:
    page.reload()
    open_menu(page, conversation_id).locator("[data-testid=share]").click()
    return page.locator("[data-testid=share-url]").input_value()


def test_a_visitor_signs_in_and_comes_back_to_the_shared_link(signed_in, browser, parley_server):
    page = signed_in
    url = share(page, import_conversation(page, "Shared recipe", "Mix **flour** and water."))
    shot(page, "share-dialog")
    visitor = browser.new_context()
    public = visitor.new_page()
    public.goto(url)
    # ALLOW_SHARED_LINKS_PUBLIC is off: sign in first
    public.wait_for_url(lambda address: "/accounts/login/?next=" in address)
    public.fill("input[name=login]", parley_server.next_email())
    public.fill("input[name=password]", PASSWORD)
    public.click("button[type=submit]")
    public.wait_for_url(url)
    body = public.locator("[data-testid=message-body]").last
    body.locator("strong").wait_for()
    assert body.inner_text() == "Mix flour and water."
    assert public.locator("[data-testid=regenerate], [data-testid=composer]").count() == 0
    shot(public, "shared-page")
    visitor.close()


def test_the_account_page_lists_a_share_and_revokes_it(signed_in):
    page = signed_in
    url = share(page, import_conversation(page, "Lisbon notes", "Take the tram."))
    page.goto("/accounts/profile/")
    row = page.locator("[data-testid=shared-link-row]")
    row.wait_for()
    assert row.count() == 1
    assert "Lisbon notes" in row.inner_text()
    assert row.locator("[data-testid=shared-link-open]").get_attribute("href") in url
    shot(page, "account-shared-links")
    page.once("dialog", lambda dialog: dialog.accept())
    row.locator("[data-testid=shared-link-revoke]").click()
    page.get_by_text("You have not shared any conversation.").wait_for()
    assert page.goto(url).status == 404
