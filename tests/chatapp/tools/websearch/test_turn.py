"""A whole turn with the globe on, through the engine: a plain question, the search
forced on the first model call (the official openai SDK against the mock provider), a
SearXNG double and real pages on loopback read by the local scraper; one page never
finishes, and the turn still completes, that source saying why."""

from __future__ import annotations

import pytest

from chatapp.engine import turns
from tests.chatapp.conftest import ENDPOINT, MODEL, librechat_yaml, settle, use_config
from tests.chatapp.engine.test_turns import start

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_layer")]


async def test_the_globe_searches_and_a_page_that_never_finishes_fails_alone(
    user, mock_provider, doubles, settings, tmp_path
) -> None:
    doubles.extra = ("hang",)  # a result whose page never finishes
    block = (
        "webSearch:\n"
        f"  searxngInstanceUrl: {doubles.base}/searxng\n"
        f"  allowedAddresses: ['{doubles.host_port}']\n"
        "  scraperTimeout: 3000\n"
    )
    text = librechat_yaml(mock_provider.openai_url) + block
    use_config(settings, tmp_path / "librechat.yaml", text)
    ask = turns.Ask(text="bees winter hive", endpoint=ENDPOINT, model=MODEL, web_search=True)
    started, collector = await start(user, ask)
    final = (await collector.until("final"))[-1]["message"]
    await settle()
    assert final["state"] == "complete"
    (step,) = final["steps"]
    assert (step["tool"], step["state"]) == ("web_search", "done")
    sources = step["data"]["sources"]
    hang = next(s for s in sources if s["url"] == doubles.page_url("hang"))
    assert (hang["ok"], hang["error"]) == (False, "the page was not read within 3 s")
    assert any(s["ok"] for s in sources)
    # The model got the numbered sources, and answered from them.
    assert final["text"].startswith("result: ") and "[1]" in final["text"]
    first, second = (r.body for r in mock_provider.requests)
    assert first["tool_choice"] == {"type": "function", "function": {"name": "web_search"}}
    assert "tool_choice" not in second
