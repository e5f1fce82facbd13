"""The in-process echo tool."""

from chatapp.tools.base import Tool, ToolContext, ToolOutput
from chatapp.tools.echo import EchoTool

CONTEXT = ToolContext(user_id=1)


async def test_it_says_its_text_back() -> None:
    tool = EchoTool()
    assert isinstance(tool, Tool) and tool.server == ""
    assert await tool.run({"text": "héllo"}, CONTEXT) == ToolOutput("héllo")


async def test_fail_and_a_bad_delay_are_error_outputs() -> None:
    assert await EchoTool().run({"text": "no", "fail": True}, CONTEXT) == ToolOutput("no", True)
    bad = await EchoTool().run({"text": "x", "delay": "soon"}, CONTEXT)
    assert bad.is_error and "delay" in bad.text


async def test_a_delay_waits() -> None:
    assert (await EchoTool().run({"text": "later", "delay": 0.01}, CONTEXT)).text == "later"
