"""Web search in the browser: the globe in the composer is sent with a message and kept
on the conversation; the keys dialog asks for what the operator left unset; and a cited
answer: asked a plain question with the globe on, the mock model is forced to call
web_search against a SearXNG double and real pages on loopback, and the answer's [n]
link to source cards that stay after a reload."""

import json
from collections.abc import Iterator

import pytest

from tests.chatapp.tools.websearch.servers import Doubles
from tests.e2e.conftest import PASSWORD, run_parley, shot, watched_page

pytestmark = pytest.mark.e2e
ANSWER = "[data-testid=message][data-role=assistant]"
DONE = f"{ANSWER}[data-state=complete]"


def test_the_globe_is_kept_on_the_conversation(signed_in):
    page = signed_in
    toggle = page.locator("[data-testid=web-search-toggle]")
    assert not toggle.is_checked()
    page.click(".web-search-switch")
    assert toggle.is_checked()
    shot(page, "web-search-globe")
    page.fill("[data-testid=composer]", "echo: globe on")
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => document.querySelectorAll('{DONE}').length === 1")
    page.wait_for_url("**/c/*")
    page.reload()
    assert page.locator("[data-testid=web-search-toggle]").is_checked()


def test_the_keys_dialog_saves_a_users_key(signed_in):
    page = signed_in
    page.click("[data-testid=web-search-keys]")
    page.locator("[data-testid=web-search-keys-dialog]").wait_for()
    shot(page, "web-search-keys")
    page.fill("[data-testid=web-search-key-serperApiKey]", "sk-serper-from-the-browser")
    page.click("[data-testid=web-search-keys-save]")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=web-search-keys]')?.textContent.trim()"
        " === 'Web search keys'"
    )


@pytest.fixture(scope="module")
def doubles() -> Iterator[Doubles]:
    server = Doubles().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def search_server(_mock_provider_server, doubles, tmp_path_factory) -> Iterator[object]:
    endpoint = {
        "name": "Mock",
        "apiKey": "mock-key",
        "baseURL": _mock_provider_server.openai_url,
        "models": {"default": ["mock-model"]},
    }
    web_search = {  # SearXNG alone: Parley's local scraper and ordering do the rest
        "searxngInstanceUrl": f"{doubles.base}/searxng",
        "allowedAddresses": [doubles.host_port],
        "scraperTimeout": 5000,
    }
    config = json.dumps(
        {"version": "1.3.14", "endpoints": {"custom": [endpoint]}, "webSearch": web_search}
    )
    data = tmp_path_factory.mktemp("e2e-web-search")
    with run_parley(_mock_provider_server, data, users=1, config=config) as server:
        yield server


def test_a_cited_answer_links_its_sources(browser, search_server, doubles):
    doubles.extra = ("binary",)  # one source that cannot be read
    with watched_page(browser, search_server.url) as page:
        page.goto("/accounts/login/")
        page.fill("input[name=login]", search_server.next_email())
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("[data-testid=composer]")
        # SearXNG is the operator's: a search needs nothing from the user.
        assert page.locator("[data-testid=web-search-keys]").inner_text() == "Web search keys"
        page.click(".web-search-switch")
        # A plain question: the globe forces the search on the turn's first reply.
        page.fill("[data-testid=composer]", "bees winter hive")
        page.keyboard.press("Enter")
        page.wait_for_selector(DONE)
        answer = page.locator(ANSWER).last
        cards = answer.locator("[data-testid=source]")
        cards.first.wait_for()
        titles = [cards.nth(i).inner_text() for i in range(cards.count())]
        assert titles[0].startswith("1") and "Keeping hives through winter" in titles[0]
        assert any("How bees make honey" in t for t in titles)
        failed = answer.locator("[data-testid=source-error]:visible")
        assert "not a web page (image/png)" in failed.inner_text()
        citation = answer.locator("[data-testid=citation]").first
        assert citation.inner_text() == "[1]"
        assert citation.get_attribute("href") == doubles.page_url("hives")
        assert citation.get_attribute("rel") == "noopener noreferrer nofollow"
        shot(page, "web-search-cited-answer")
        page.reload()
        answer = page.locator(ANSWER).last
        answer.locator("[data-testid=source]").first.wait_for()
        assert answer.locator("[data-testid=citation]").first.get_attribute("href") == (
            doubles.page_url("hives")
        )
        assert page.locator("[data-testid=web-search-toggle]").is_checked()
        page.goto("/accounts/balance/")  # the chat socket closes now, not at the server's stop
