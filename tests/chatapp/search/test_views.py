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
