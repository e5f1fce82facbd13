"""One connection on the official mcp SDK: the reference server over each transport,
and every way a server can fail ending in a clear McpFailure, never a hang."""

from __future__ import annotations

import asyncio

import mcp_types
import pytest

from endpoints.mcpclient import results
from endpoints.mcpclient.connection import Connection, McpFailure
from endpoints.mcpservers import McpServerConfig, McpSettings
from tests.endpoints.mcpclient.conftest import faulty, loopback, stdio_everything


async def connected(server: McpServerConfig, settings: McpSettings | None = None) -> Connection:
    connection = Connection(server, settings or McpSettings())
    await connection.open()
    return connection


async def echo_round_trip(connection: Connection) -> None:
    try:
        assert {"echo", "get-sum", "get-tiny-image"} <= {t.name for t in connection.tools}
        assert "Everything Server" in connection.instructions
        result = await connection.call("echo", {"message": "hello"})
        assert results.output(result).text == "Echo: hello"
        total = await connection.call("get-sum", {"a": 2, "b": 3})
        assert "5" in results.output(total).text
    finally:
        await connection.close()
    assert not connection.connected


async def test_the_reference_server_over_stdio() -> None:
    await echo_round_trip(await connected(stdio_everything()))


async def test_the_reference_server_over_sse(sse_port) -> None:
    server = McpServerConfig(
        name="everything", transport="sse", url=f"http://127.0.0.1:{sse_port}/sse"
    )
    await echo_round_trip(await connected(server, loopback(sse_port)))


async def test_the_reference_server_over_streamable_http(http_port) -> None:
    server = McpServerConfig(
        name="everything", transport="streamable-http", url=f"http://127.0.0.1:{http_port}/mcp"
    )
    await echo_round_trip(await connected(server, loopback(http_port)))


async def test_a_private_address_not_listed_is_refused_before_connecting(http_port) -> None:
    server = McpServerConfig(
        name="everything", transport="streamable-http", url=f"http://127.0.0.1:{http_port}/mcp"
    )
    with pytest.raises(McpFailure, match="a loopback address.*mcpSettings.allowedAddresses"):
        await connected(server)


async def test_an_image_only_result_is_an_error_naming_it() -> None:
    connection = await connected(stdio_everything())
    try:
        output = results.output(await connection.call("get-tiny-image", {}))
    finally:
        await connection.close()
    assert not output.is_error  # text around the image is kept, the image named
    assert "[image (image/png" in output.text and "omitted" in output.text


async def test_a_hanging_tool_times_out() -> None:
    connection = await connected(faulty(timeout=1.0))
    try:
        with pytest.raises(McpFailure, match="hang did not finish within 1 s"):
            await connection.call("hang", {})
        assert (await connection.call("echo", {"text": "still here"})).content[0].text == (
            "still here"
        )
    finally:
        await connection.close()


async def test_a_server_dying_mid_call_fails_the_call_at_once() -> None:
    connection = await connected(faulty(timeout=30.0))
    try:
        with pytest.raises(McpFailure, match="closed the connection during the call") as failed:
            await connection.call("crash", {})
        assert "crashing on purpose" in str(failed.value)
        assert not connection.connected
    finally:
        await connection.close()


async def test_a_huge_result_fails_the_call_and_the_connection_at_once() -> None:
    connection = await connected(faulty(timeout=60.0))
    try:
        with pytest.raises(McpFailure) as failed:
            await connection.call("huge", {})
        assert not connection.connected
    finally:
        await connection.close()
    assert str(failed.value) == (
        "MCP server 'faulty': the server sent a message larger than 16 MB during the call"
    )


async def test_non_text_content_only_is_an_error() -> None:
    connection = await connected(faulty())
    try:
        output = results.output(await connection.call("image", {}))
    finally:
        await connection.close()
    assert output.is_error and output.text.startswith("The tool returned no text, only image")


async def test_a_malformed_message_mid_call_fails_the_call() -> None:
    connection = await connected(faulty("malformed", timeout=30.0))
    try:
        with pytest.raises(McpFailure, match="not MCP"):
            await connection.call("malformed", {})
    finally:
        await connection.close()


async def test_a_server_that_speaks_no_mcp_fails_to_open() -> None:
    with pytest.raises(McpFailure, match="not MCP"):
        await connected(faulty("garbage", init_timeout=10.0))


async def test_a_server_that_does_not_start_fails_to_open_with_the_reason() -> None:
    server = McpServerConfig(name="gone", transport="stdio", command="/nonexistent/mcp-server")
    with pytest.raises(McpFailure, match="MCP server 'gone'"):
        await connected(server)


async def test_a_silent_server_fails_to_open_within_init_timeout() -> None:
    server = McpServerConfig(
        name="silent", transport="stdio", command="sleep", args=("60",), init_timeout=0.5
    )
    with pytest.raises(McpFailure, match="did not answer within 0.5 s"):
        await connected(server)


def test_a_result_over_the_size_limit_is_an_error_output() -> None:
    # Over HTTP a JSON answer is not bounded by the transport: results.output is.
    big = mcp_types.CallToolResult(content=[mcp_types.TextContent(text="x" * (17 * 1024 * 1024))])
    output = results.output(big)
    assert output.is_error
    assert output.text == (
        "The tool returned 17.8 MB, more than the 16 MB Parley accepts from a tool."
    )


async def test_a_close_cancelled_midway_still_closes_and_stays_cancelled() -> None:
    """The manager's close_all cancels a supervisor that may be closing a lost connection:
    the close must not swallow that cancellation, or the supervisor reconnects forever."""
    connection = await connected(faulty())
    closing = asyncio.ensure_future(connection.close())
    await asyncio.sleep(0)  # the close now waits for the connection's graceful end
    closing.cancel()
    with pytest.raises(asyncio.CancelledError):
        await closing
    assert not connection.connected
