"""Web search keys a user enters: sealed like endpoint keys, theirs alone, checked."""

from __future__ import annotations

import pytest

from chatapp.conversations import BadRequest
from chatapp.models import UserKey
from chatapp.tools.websearch import credentials
from endpoints.websearch import WebSearch, resolve

pytestmark = pytest.mark.django_db


@pytest.fixture
def settings_unset():
    settings, _ = resolve(WebSearch(allowedAddresses=["127.0.0.1:9"]), {"JINA_API_KEY": "op"})
    return settings


def test_saved_values_are_sealed_and_read_back(user, settings_unset) -> None:
    values = {"serperApiKey": "sk-serper-123456", "searxngInstanceUrl": "http://127.0.0.1:9/"}
    assert credentials.save(user, settings_unset, values, "1d") == list(values)
    assert credentials.user_values(user, settings_unset) == values
    row = UserKey.objects.get(owner=user, endpoint="webSearch.serperApiKey")
    assert "sk-serper-123456" not in row.sealed and row.hint == "sk-…3456"


def test_every_field_is_read_from_one_look_up(
    user, settings_unset, django_assert_num_queries
) -> None:
    """The chat page asks on every load: the user's keys are read once, in one query when
    none has expired, not once per field (it was 2 queries a field)."""
    values = {"serperApiKey": "sk-serper-123456", "tavilyApiKey": "tvly-abcdefgh"}
    credentials.save(user, settings_unset, values, "1d")
    assert len(settings_unset.fields_for_users()) > 2
    with django_assert_num_queries(1):
        assert credentials.user_values(user, settings_unset) == values


def test_a_stranger_sees_none_of_them(user, stranger, settings_unset) -> None:
    credentials.save(user, settings_unset, {"serperApiKey": "mine-only-key"}, "never")
    assert credentials.user_values(stranger, settings_unset) == {}


def test_fields_the_operator_set_are_refused(user, settings_unset) -> None:
    with pytest.raises(BadRequest, match="does not take your own jinaApiKey"):
        credentials.save(user, settings_unset, {"jinaApiKey": "x"}, "1d")
    with pytest.raises(BadRequest, match="does not take your own firecrawlApiUrl"):
        credentials.save(user, settings_unset, {"firecrawlApiUrl": "http://x"}, "1d")


def test_a_searxng_url_inside_the_network_is_refused(user, settings_unset) -> None:
    with pytest.raises(BadRequest, match="169.254.169.254, a link-local address"):
        credentials.save(
            user, settings_unset, {"searxngInstanceUrl": "http://169.254.169.254"}, "1d"
        )
    with pytest.raises(BadRequest, match="starting with http"):
        credentials.save(user, settings_unset, {"searxngInstanceUrl": "searx.local"}, "1d")


def test_revoke_and_expiry(user, settings_unset) -> None:
    credentials.save(user, settings_unset, {"tavilyApiKey": "tvly-abcdefgh"}, "1d")
    credentials.revoke(user, "tavilyApiKey")
    assert credentials.user_values(user, settings_unset) == {}
    with pytest.raises(BadRequest, match="expires"):
        credentials.save(user, settings_unset, {"tavilyApiKey": "x"}, "forever")
