"""The MCP values page and the composer's picker: each user sees and changes only their
own values; the picker shows each server's state and the conversation's choice."""

from __future__ import annotations

import pytest

from chatapp.tools.mcp import uservalues
from tests.chatapp import factories

pytestmark = pytest.mark.django_db
SERVERS = {
    "notes": {
        "command": "x",
        "title": "Notes",
        "customUserVars": {"TOKEN": {"title": "Notes token", "description": "In your profile"}},
        "apiKey": {"source": "user"},
    },
    "plain": {"command": "/nonexistent/server", "description": "Shared tools"},
    "ws": {"url": "wss://mcp.example/ws"},
}


def test_values_are_saved_for_the_user_alone(client, user, stranger, mcp_yaml) -> None:
    mcp_yaml(SERVERS)
    client.force_login(user)
    page = client.get("/mcp").content.decode()
    assert "Notes token" in page and "In your profile" in page and "(saved)" not in page
    response = client.post("/mcp/notes", {"var-TOKEN": "t-alice", "api_key": "k-alice"})
    assert response.status_code == 302
    assert uservalues.values_for(user, "notes").variables == {"TOKEN": "t-alice"}
    assert uservalues.values_for(user, "notes").api_key == "k-alice"
    page = client.get("/mcp").content.decode()
    assert page.count("(saved)") == 2 and "t-alice" not in page and "k-alice" not in page

    client.force_login(stranger)
    assert "(saved)" not in client.get("/mcp").content.decode()
    client.post("/mcp/notes", {"action": "forget"})
    assert uservalues.values_for(user, "notes").variables == {"TOKEN": "t-alice"}
    assert client.post("/mcp/plain", {"var-TOKEN": "x"}).status_code == 404


def test_forget_deletes_the_users_values(client, user, mcp_yaml) -> None:
    mcp_yaml(SERVERS)
    client.force_login(user)
    client.post("/mcp/notes", {"var-TOKEN": "t", "api_key": "k"})
    client.post("/mcp/notes", {"action": "forget"})
    assert uservalues.values_for(user, "notes").variables == {}


def test_the_picker_shows_states_and_the_conversations_choice(client, user, mcp_yaml) -> None:
    mock = {"name": "Mock", "apiKey": "k", "baseURL": "http://127.0.0.1:9/v1"}
    mcp_yaml(SERVERS, endpoints={"custom": [{**mock, "models": {"default": ["m"]}}]})
    conversation = factories.conversation(user, endpoint="Mock", model="m", mcp_servers=["plain"])
    client.force_login(user)
    page = client.get(f"/c/{conversation.id}").content.decode()
    assert 'data-testid="mcp-picker"' in page
    assert 'value="plain" data-testid="mcp-server" checked' in page
    assert 'value="notes" data-testid="mcp-server">' in page
    assert "needs your values" in page and "Enter Notes token, API key" in page
    assert 'value="ws" data-testid="mcp-server" disabled' in page
    assert "Parley does not connect to websocket MCP servers yet" in page


def test_no_picker_without_mcp_servers(client, user) -> None:
    client.force_login(user)
    assert 'data-testid="mcp-picker"' not in client.get("/").content.decode()


def test_a_new_chat_on_a_spec_starts_with_its_mcp_servers(client, user, mcp_yaml) -> None:
    """LibreChat's modelSpecs.list[].mcpServers: the spec's servers are chosen in a new chat
    (the picker's own servers only); a conversation keeps its own choice."""
    mock = {"name": "Mock", "apiKey": "k", "baseURL": "http://127.0.0.1:9/v1"}
    spec = {"name": "tools", "default": True, "mcpServers": ["plain", "hidden"],
            "preset": {"endpoint": "Mock", "model": "m"}}  # fmt: skip
    servers = {**SERVERS, "hidden": {"command": "x", "chatMenu": False}}
    endpoints = {"custom": [{**mock, "models": {"default": ["m"]}}]}
    mcp_yaml(servers, endpoints=endpoints, modelSpecs={"list": [spec]})
    client.force_login(user)
    page = client.get("/").content.decode()
    assert 'value="plain" data-testid="mcp-server" checked' in page
    assert 'value="notes" data-testid="mcp-server">' in page
    conversation = factories.conversation(user, endpoint="Mock", model="m", spec="tools")
    page = client.get(f"/c/{conversation.id}").content.decode()
    assert 'value="plain" data-testid="mcp-server">' in page
