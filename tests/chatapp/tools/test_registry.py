"""Which tools a turn offers: the echo tool only when configured, then registered sources."""

from __future__ import annotations

from chatapp.tools import registry
from chatapp.tools.echo import EchoTool


class Named:
    server = "srv"

    def __init__(self, name: str) -> None:
        self.spec = EchoTool.spec.__class__(name)

    async def run(self, arguments, context):  # pragma: no cover - never run here
        raise AssertionError


def test_nothing_is_offered_by_default(settings, user) -> None:
    settings.TOOLS_ECHO = False
    assert not registry.offered(user, None)


def test_the_echo_tool_is_offered_when_configured(settings, user) -> None:
    settings.TOOLS_ECHO = True
    box = registry.offered(user, None)
    assert [spec.name for spec in box.specs] == ["echo"]
    assert isinstance(box.get("echo"), EchoTool)


def test_sources_add_tools_and_the_first_of_a_name_wins(settings, user, stranger) -> None:
    settings.TOOLS_ECHO = True
    seen = []

    def source(who, conversation):
        seen.append(who)
        return [Named("lookup"), Named("echo")] if who == user else []

    registry.register("test", source)
    try:
        mine, theirs = registry.offered(user, None), registry.offered(stranger, None)
    finally:
        registry.unregister("test")
    assert [s.name for s in mine.specs] == ["echo", "lookup"]
    assert isinstance(mine.get("echo"), EchoTool)  # the built-in came first
    assert [s.name for s in theirs.specs] == ["echo"]  # a source answers per user
    assert seen == [user, stranger]


def test_a_failing_source_is_skipped(settings, user) -> None:
    settings.TOOLS_ECHO = True

    def broken(who, conversation):
        raise RuntimeError("server down")

    registry.register("broken", broken)
    try:
        assert [s.name for s in registry.offered(user, None).specs] == ["echo"]
    finally:
        registry.unregister("broken")
