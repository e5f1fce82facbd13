"""websearch.scrape: Firecrawl v1/v2, Serper, Tavily's extract and the local scraper,
each page's failure reported on its own, nothing waited for past scraperTimeout."""

from __future__ import annotations

import httpx
import pytest

from chatapp.tools.websearch.scrape import scrape


async def run(settings, urls):
    async with httpx.AsyncClient(timeout=5) as client:
        return await scrape(client, settings, settings.scraper({}), urls)


@pytest.mark.parametrize(
    ("provider", "extra"),
    [
        ("firecrawl", {}),
        ("firecrawl", {"FIRECRAWL_VERSION": "v1"}),
        ("serper", {}),
        ("tavily", {}),
        ("local", {}),
    ],
)
async def test_every_scraper_reads_the_pages(settings_for, doubles, provider, extra) -> None:
    settings = settings_for(scraperProvider=provider, extra_env=extra)
    urls = [doubles.page_url("bees"), doubles.page_url("nowhere")]
    pages = await run(settings, urls)
    bees = pages[urls[0]]
    assert bees.ok and "Worker bees fan the nectar" in bees.text
    assert bees.title == ("" if provider == "tavily" else "How bees make honey")  # no title
    assert not pages[urls[1]].ok and pages[urls[1]].error


async def test_firecrawl_version_and_options_reach_it(settings_for, doubles) -> None:
    env = {"FIRECRAWL_API_KEY": "fc-key", "FIRECRAWL_API_URL": f"{doubles.base}/firecrawl"}
    env["FIRECRAWL_VERSION"] = "v1"
    options = {"onlyMainContent": True, "timeout": 4000}
    await run(settings_for(env=env, firecrawlOptions=options), [doubles.page_url("bees")])
    path, body, _headers = doubles.requests[-1]
    assert path == "/firecrawl/v1/scrape"
    assert body == {"url": doubles.page_url("bees"), "formats": ["markdown"], **options}


async def test_the_local_scraper_drops_the_boilerplate(settings_for, doubles) -> None:
    pages = await run(settings_for(scraperProvider="local"), [doubles.page_url("tides")])
    text = pages[doubles.page_url("tides")].text
    assert "the moon pulls on the oceans" in text
    assert "Copyright the example site" not in text and "About" not in text


async def test_each_bad_page_says_why_and_none_waits_past_the_timeout(settings_for, doubles):
    settings = settings_for(scraperProvider="local", scraperTimeout=500)
    slugs = ["bees", "huge", "binary", "private", "hang"]
    pages = await run(settings, [doubles.page_url(s) for s in slugs])
    errors = {s: pages[doubles.page_url(s)].error for s in slugs}
    assert errors["bees"] == ""
    assert errors["huge"] == "the page is larger than 2 MB"
    assert errors["binary"] == "not a web page (image/png)"
    assert "127.0.0.2, a loopback address" in errors["private"]
    assert errors["hang"] == "the page was not read within 0.5 s"


async def test_a_private_page_is_refused_without_allowed_addresses(settings_for, doubles):
    settings = settings_for(scraperProvider="local", allow_pages=False)
    pages = await run(settings, [doubles.page_url("bees")])
    assert "loopback address" in pages[doubles.page_url("bees")].error


@pytest.mark.parametrize(
    ("provider", "mode"), [("firecrawl", 429), ("serper", 500), ("tavily", 429)]
)
async def test_a_failing_scraper_fails_every_page_clearly(settings_for, doubles, provider, mode):
    doubles.fail[provider] = mode
    pages = await run(settings_for(scraperProvider=provider), [doubles.page_url("bees")])
    page = pages[doubles.page_url("bees")]
    assert not page.ok and f"HTTP {mode}" in page.error


async def test_a_scraper_that_never_answers_is_cut_at_the_timeout(settings_for, doubles):
    doubles.fail["tavily"] = "slow"
    settings = settings_for(scraperProvider="tavily", scraperTimeout=300)
    pages = await run(settings, [doubles.page_url("bees")])
    assert pages[doubles.page_url("bees")].error == "the page was not read within 0.3 s"
