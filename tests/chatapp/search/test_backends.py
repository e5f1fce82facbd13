"""Which search backend answers, and what start-up says about it."""

import pytest

from chatapp.search import backends


@pytest.mark.django_db
def test_an_unreachable_search_index_is_reported_at_start_up_not_fatal(settings, caplog):
    settings.SEARCH, settings.MEILI_MASTER_KEY = True, "a-master-key-of-16+"
    settings.MEILI_HOST = "http://127.0.0.1:1"
    with caplog.at_level("WARNING", logger="chatapp.search.backends"):
        answer = backends.report()
    assert "fallback: Meilisearch" in answer
    assert "search:" in caplog.text and "fallback" in caplog.text
