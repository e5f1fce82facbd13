"""Tools a model may call during a turn (docs/tools.md).

`base` is the contract every tool meets, whatever runs it: a built-in (web search), an MCP
server's tool, or a test's echo. The engine's tool loop offers `Tool.spec` to the model
and runs `Tool.run`; it knows nothing of where a tool comes from.
"""
