"""MCP servers from librechat.yaml as tools (docs/tools.md): `servers` is what the rest
of Parley calls (the picker, a turn's tools, instructions, /health) and `uservalues`
keeps what users enter. The client itself, on the official `mcp` SDK, is
endpoints/mcpclient (its connections, their manager, results)."""
