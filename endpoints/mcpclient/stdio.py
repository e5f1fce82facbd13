"""The stdio transport with a bound on a message's size.

The SDK's own `stdio_client` joins a line's chunks by string concatenation, which is
quadratic: a server writing a 50 MB line keeps the MCP event loop busy for minutes,
stalling every other connection. This one reads bytes into a buffer, hands each line
to the SDK's JSON-RPC parser, and past `max_bytes` drops the line and reports
`TooLarge` on the read stream instead (the connection then counts as lost). Spawning
(the SDK's safe environment, a process group of its own) and shutdown (close stdin,
wait, then kill the process tree) follow the SDK's.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any, TextIO

import anyio
import mcp_types
from mcp.client.stdio import StdioServerParameters, get_default_environment
from mcp.os.posix.utilities import terminate_posix_process_tree
from mcp.shared.message import SessionMessage

EXIT_GRACE = 2.0  # seconds a server has to exit once its stdin is closed


class TooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"the server sent a message larger than {limit // (1024 * 1024)} MB")


def parse(line: bytes) -> SessionMessage | Exception:
    try:
        return SessionMessage(mcp_types.jsonrpc_message_adapter.validate_json(line, by_name=False))
    except ValueError as error:
        return error


@contextlib.asynccontextmanager
async def stdio_transport(
    server: StdioServerParameters, errlog: TextIO, max_bytes: int
) -> AsyncIterator[tuple[Any, Any]]:
    process = await anyio.open_process(
        [server.command, *server.args],
        env=get_default_environment() | (server.env or {}),
        stderr=errlog,
        cwd=server.cwd,
        start_new_session=True,
    )
    send_read, read_stream = anyio.create_memory_object_stream[SessionMessage | Exception](0)
    write_stream, receive_write = anyio.create_memory_object_stream[SessionMessage](0)

    async def reader() -> None:
        assert process.stdout is not None
        buffer, skipping = bytearray(), False
        async with send_read:
            with contextlib.suppress(anyio.ClosedResourceError, anyio.BrokenResourceError):
                async for chunk in process.stdout:
                    start = 0
                    while (end := chunk.find(b"\n", start)) >= 0:
                        if not skipping:
                            buffer += chunk[start:end]
                            if buffer.strip():
                                await send_read.send(parse(bytes(buffer)))
                        buffer.clear()
                        skipping, start = False, end + 1
                    if not skipping:
                        buffer += chunk[start:]
                        if len(buffer) > max_bytes:
                            buffer.clear()
                            skipping = True
                            await send_read.send(TooLarge(max_bytes))

    async def writer() -> None:
        assert process.stdin is not None
        try:
            async with receive_write:
                async for message in receive_write:
                    data = message.message.model_dump_json(by_alias=True, exclude_unset=True)
                    await process.stdin.send((data + "\n").encode())
        except (anyio.ClosedResourceError, anyio.BrokenResourceError, OSError):
            await send_read.aclose()  # the session sees the end instead of waiting

    async with read_stream, write_stream, anyio.create_task_group() as group:
        group.start_soon(reader)
        group.start_soon(writer)
        try:
            yield read_stream, write_stream
        finally:
            with anyio.CancelScope(shield=True):
                await stop(process)
            group.cancel_scope.cancel()


async def stop(process: Any) -> None:
    """Close its stdin, give it EXIT_GRACE seconds, then end its whole process group."""
    with contextlib.suppress(Exception):
        await process.stdin.aclose()
    with anyio.move_on_after(EXIT_GRACE):
        while process.returncode is None:  # noqa: ASYNC110 (wait() would also wait for pipe EOF)
            await anyio.sleep(0.05)
    if process.returncode is None:
        await terminate_posix_process_tree(process, EXIT_GRACE)
    with anyio.move_on_after(EXIT_GRACE), contextlib.suppress(Exception):
        await process.aclose()
