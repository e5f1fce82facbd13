"""An MCP server (the `mcp` SDK's MCPServer, over stdio) that fails on request, for the
client's failure tests. `python faulty.py garbage` speaks no MCP at all; `python
faulty.py malformed` is a hand-written server whose one tool answers with a line that
is not JSON-RPC (the SDK's server guards its stdout, so it cannot do that)."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import sys

from mcp.server.mcpserver import MCPServer
from mcp_types import ImageContent

server = MCPServer("faulty", instructions="Faulty server: every tool fails its own way.")


@server.tool()
def echo(text: str) -> str:
    """Answer with the text."""
    return text


@server.tool()
def whoami() -> str:
    """The TOKEN this server was started with."""
    return os.environ.get("TOKEN", "")


@server.tool()
async def hang() -> str:
    """Never answers."""
    await asyncio.sleep(3600)
    return "late"


@server.tool()
def crash() -> str:
    """Exits mid-call."""
    sys.stderr.write("faulty: crashing on purpose\n")
    sys.stderr.flush()
    os._exit(3)


@server.tool()
def huge() -> str:
    """50 MB of text."""
    return "x" * (50 * 1024 * 1024)


@server.tool()
def image() -> ImageContent:
    """Only an image."""
    return ImageContent(data=base64.b64encode(b"\x89PNG....").decode(), mime_type="image/png")


def malformed() -> None:
    tool = {"name": "malformed", "inputSchema": {"type": "object", "properties": {}}}
    for line in sys.stdin:
        request = json.loads(line)
        if "id" not in request:
            continue  # a notification
        method, answer = request["method"], {"jsonrpc": "2.0", "id": request["id"]}
        if method == "initialize":
            answer["result"] = {
                "protocolVersion": request["params"]["protocolVersion"],
                "capabilities": {"tools": {}},
                "serverInfo": {"name": "malformed", "version": "1"},
            }
        elif method == "tools/list":
            answer["result"] = {"tools": [tool]}
        elif method == "tools/call":
            sys.stdout.write("this is not json\n")
            sys.stdout.flush()
            continue
        else:
            answer["error"] = {"code": -32601, "message": f"no method {method}"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    if sys.argv[1:] == ["malformed"]:
        malformed()
    elif sys.argv[1:] == ["garbage"]:
        sys.stdout.write("Welcome! This program does not speak MCP.\n")
        sys.stdout.flush()
        sys.stdin.read()
    else:
        server.run("stdio")
