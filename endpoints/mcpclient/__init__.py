"""The MCP client on the official `mcp` SDK (docs/tools.md): `connection` is one
server's session, `stdio` its bounded stdio transport, `manager` every connection of the
process on a loop of its own, `results` a tool result as text. The servers come from
librechat.yaml through endpoints/mcpservers.py; chatapp/tools/mcp offers their tools."""
