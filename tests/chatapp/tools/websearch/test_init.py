"""websearch.tool_for: the registry's entry point."""

from __future__ import annotations

import pytest

from chatapp.tools.websearch import credentials, tool_for
from endpoints.config import load

pytestmark = pytest.mark.django_db


def config_with(tmp_path, text: str):
    path = tmp_path / "librechat.yaml"
    path.write_text("version: 1.3.14\n" + text)
    return load(str(path), {}, required=True)


def test_the_users_tool_carries_their_keys(user, stranger, tmp_path) -> None:
    config = config_with(tmp_path, "webSearch:\n  searchProvider: serper\n")
    credentials.save(user, config.web_search, {"serperApiKey": "users-own-key"}, "1d")
    tool = tool_for(user, config)
    assert tool is not None and tool.spec.name == "web_search"
    assert tool.user_values == {"serperApiKey": "users-own-key"}
    assert tool_for(stranger, config).user_values == {}


def test_interface_web_search_false_offers_nothing(user, tmp_path) -> None:
    assert tool_for(user, config_with(tmp_path, "interface:\n  webSearch: false\n")) is None


def test_the_registry_offers_it_when_the_globe_is_on(user, settings, tmp_path) -> None:
    from chatapp.tools import registry
    from tests.chatapp import factories
    from tests.chatapp.conftest import use_config

    use_config(settings, tmp_path / "l.yaml", "version: 1.3.14\n")
    off = factories.conversation(user)
    on = factories.conversation(user, web_search=True)
    assert registry.offered(user, off).get("web_search") is None
    assert registry.offered(user, on).get("web_search") is not None
    use_config(settings, tmp_path / "l.yaml", "version: 1.3.14\ninterface: {webSearch: false}\n")
    assert registry.offered(user, on).get("web_search") is None


def test_the_globe_forces_the_search_on_the_turn(user, settings, tmp_path) -> None:
    from chatapp.tools import registry
    from tests.chatapp import factories
    from tests.chatapp.conftest import use_config

    use_config(settings, tmp_path / "l.yaml", "version: 1.3.14\n")
    assert registry.offered(user, factories.conversation(user, web_search=True)).forced == (
        "web_search"
    )
    assert registry.offered(user, factories.conversation(user)).forced is None
