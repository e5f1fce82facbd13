"""GET /api/search: the JSON API over `service.search`."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.modes
URL = reverse("api:search")


def test_results_with_snippets_and_the_message_to_jump_to(client, user, chat):
    conversation = chat(user, "Trip <b>", "Plan a trip to <i>Lisbon</i>", "ok")
    client.force_login(user)
    body = client.get(URL, {"q": "lisbon"}).json()
    [hit] = body["results"]
    assert hit["conversation_id"] == str(conversation.id)
    assert hit["title"] == "Trip <b>"
    assert hit["jump_to"] == str(conversation.messages.get(role="user").id)
    assert {"text": "Lisbon", "hit": True} in hit["messages"][0]["snippet"]
    assert body["next_cursor"] is None and body["notice"] is None


def test_a_stranger_sees_nothing_and_anonymous_is_refused(client, user, stranger, chat):
    chat(user, "Secret", "hunter2")
    assert client.get(URL, {"q": "hunter2"}).status_code == 401
    client.force_login(stranger)
    assert client.get(URL, {"q": "hunter2"}).json()["results"] == []


def test_bad_cursor_is_a_400(client, user):
    client.force_login(user)
    response = client.get(URL, {"q": "x", "cursor": "bogus"})
    assert response.status_code == 400
    assert "cursor" in response.json()["error"]["message"]


def test_the_sidebar_filter_shows_search_results_with_marked_snippets(client, user, chat):
    conversation = chat(user, "Trip <b>", "Plan a trip to <i>Lisbon</i>", "ok")
    question = conversation.messages.get(role="user")
    client.force_login(user)
    html = client.get(reverse("chat:conversations"), {"q": "lisbon"}).content.decode()
    assert 'data-testid="search-snippet"' in html
    assert "<mark>Lisbon</mark>" in html
    assert "&lt;i&gt;" in html and "<i>" not in html  # message text is escaped
    assert "Trip &lt;b&gt;" in html
    assert f"/c/{conversation.id}?at={question.id}" in html


def test_an_empty_result_says_so_and_no_query_lists_as_before(client, user, chat):
    chat(user, "Trip", "Plan a trip")
    client.force_login(user)
    html = client.get(reverse("chat:conversations"), {"q": "nowhere"}).content.decode()
    assert 'data-testid="search-empty"' in html
    listed = client.get(reverse("chat:conversations")).content.decode()
    assert "search-hit" not in listed and "Trip" in listed


def test_opening_a_result_shows_the_branch_through_its_message(client, user, chat):
    conversation = chat(user, "Trip", "first question", "first answer")
    first = conversation.messages.get(role="user")
    conversation.messages.create(role="user", text="another branch")  # a newer sibling root
    client.force_login(user)
    html = client.get(reverse("chat:conversation", args=[conversation.id]), {"at": first.id})
    assert f'data-message-id="{first.id}"' in html.content.decode()
    assert "another branch" not in html.content.decode()
    stranger_message = "00000000-0000-0000-0000-000000000000"
    missing = client.get(
        reverse("chat:conversation", args=[conversation.id]), {"at": stranger_message}
    )
    assert missing.status_code == 404
