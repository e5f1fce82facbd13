"""`echo`: an in-process tool that says its text back, after an optional delay.

For tests, the bench and demos (PARLEY_ECHO_TOOL=true offers it in every conversation;
it is off unless configured). `delay` makes "while a tool runs" last as long as a test
needs; `fail` returns an error output, as a tool that fails cleanly does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from chatapp.tools.base import ToolContext, ToolOutput
from endpoints.adapters.base import ToolSpec

MAX_DELAY = 3600.0

SPEC = ToolSpec(
    name="echo",
    description="Return the given text unchanged (a test tool).",
    parameters={
        "type": "object",
        "properties": {
            "text": {"type": "string", "description": "The text to return."},
            "delay": {"type": "number", "description": "Seconds to wait first."},
            "fail": {"type": "boolean", "description": "Return the text as an error."},
        },
        "required": ["text"],
    },
)


class EchoTool:
    spec = SPEC
    server = ""

    async def run(self, arguments: Mapping[str, Any], context: ToolContext) -> ToolOutput:
        delay = arguments.get("delay") or 0
        if not isinstance(delay, int | float) or isinstance(delay, bool):
            return ToolOutput("delay must be a number of seconds", is_error=True)
        if delay > 0:
            await asyncio.sleep(min(float(delay), MAX_DELAY))
        text = arguments.get("text", "")
        text = text if isinstance(text, str) else str(text)
        return ToolOutput(text, is_error=bool(arguments.get("fail")))
