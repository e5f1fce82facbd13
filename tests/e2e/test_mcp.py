"""The composer's MCP picker in Chromium under the strict CSP: a server's state shows,
choosing it lets the model call its tool (a step in the answer), and the choice is kept
with the conversation."""

import json
import sys
import time
from collections.abc import Iterator

import pytest

from tests.e2e.conftest import PASSWORD, run_parley, shot, watched_page
from tests.endpoints.mcpclient.conftest import FAULTY

# Its own server (with MCP servers): starting one takes minutes on a loaded machine.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(360)]
ANSWER = "[data-testid=message][data-role=assistant][data-state=complete]"
ROW = "[data-testid=mcp-server-row][data-server=faulty]"


@pytest.fixture(scope="module")
def mcp_server(_mock_provider_server, tmp_path_factory) -> Iterator[object]:
    endpoint = {
        "name": "Mock",
        "apiKey": "mock-key",
        "baseURL": _mock_provider_server.openai_url,
        "models": {"default": ["mock-model"]},
    }
    servers = {
        "faulty": {
            "command": sys.executable,
            "args": [str(FAULTY)],
            "title": "Faulty",
            "description": "Tools that fail on request",
        },
        "gone": {"command": "/nonexistent/mcp-server", "title": "Gone"},
    }
    config = json.dumps(
        {"version": "1.3.14", "endpoints": {"custom": [endpoint]}, "mcpServers": servers}
    )
    data = tmp_path_factory.mktemp("e2e-mcp")
    with run_parley(_mock_provider_server, data, users=1, config=config) as server:
        yield server


def test_the_picker_offers_a_servers_tools_and_keeps_the_choice(browser, mcp_server):
    with watched_page(browser, mcp_server.url) as page:
        page.goto("/accounts/login/")
        page.fill("input[name=login]", mcp_server.next_email())
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("[data-testid=composer]")
        deadline = time.monotonic() + 60  # the servers connect at start-up, in the background
        while page.locator(f"{ROW}[data-state=connected]").count() == 0:
            assert time.monotonic() < deadline, "the MCP server did not connect"
            page.wait_for_timeout(500)
            page.reload()
            page.wait_for_selector("[data-testid=composer]")
        page.click("[data-testid=mcp-picker-toggle]")
        gone = page.locator("[data-testid=mcp-server-row][data-server=gone]")
        gone.wait_for()
        assert "the command was not found" in gone.inner_text()
        page.check(f"{ROW} [data-testid=mcp-server]")
        assert page.locator("[data-testid=mcp-count]").inner_text() == "(1)"
        shot(page, "mcp-picker")
        page.keyboard.press("Escape")
        page.fill("[data-testid=composer]", 'tool: echo_mcp_faulty {"text": "from MCP"}')
        page.keyboard.press("Enter")
        page.wait_for_selector(ANSWER)
        answer = page.locator(ANSWER).last
        assert answer.locator("[data-testid=message-body]").inner_text().strip() == (
            "result: from MCP"
        )
        page.wait_for_url("**/c/*")
        page.reload()  # the saved step, and the conversation's choice
        page.wait_for_selector(f"{ANSWER} [data-testid=tool-step][data-state=done]")
        assert page.locator(f"{ANSWER} [data-testid=tool-step]").count() == 1
        assert page.locator(f"{ROW} [data-testid=mcp-server]").is_checked()
