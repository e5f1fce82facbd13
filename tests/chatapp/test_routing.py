"""The WebSocket handshake: only the configured client origins, only signed-in users."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.chatapp.conftest import open_socket, origin

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_layer")]


def others() -> list[bytes]:
    """Origins a browser may send that are not the configured one."""
    configured = urlsplit(origin().decode())
    port = configured.port or 80
    candidates = [
        f"{configured.scheme}://{configured.hostname}:{port + 1}",  # another port
        f"{configured.scheme}://localhost:{port + 1}",
        f"{configured.scheme}://localhost:{port}",
        f"{configured.scheme}://127.0.0.1:{port}",
        f"{configured.scheme}://[::1]:{port}",
        "https://attacker.example",
        "null",
    ]
    return [o.encode() for o in dict.fromkeys(candidates) if o != origin().decode()]


async def test_the_configured_origin_is_served(user):
    socket = await open_socket(user)
    connected, _ = await socket.connect()
    assert connected
    await socket.send_json_to({"type": "ping"})
    assert (await socket.receive_json_from(timeout=5))["code"] == "bad_frame"
    await socket.disconnect()


@pytest.mark.parametrize("other", others())
async def test_any_other_origin_is_refused_at_the_handshake(user, other):
    socket = await open_socket(user, from_origin=other)
    connected, _ = await socket.connect()
    assert not connected


async def test_a_missing_origin_is_refused_at_the_handshake(user):
    from asgiref.sync import sync_to_async
    from channels.testing import WebsocketCommunicator

    from chatapp.routing import websocket_application
    from tests.chatapp.conftest import BROWSER, session_key

    cookie = f"sessionid={await sync_to_async(session_key)(user)}".encode()
    headers = [*BROWSER, (b"cookie", cookie)]
    socket = WebsocketCommunicator(websocket_application(), "/ws/chat/", headers=headers)
    connected, _ = await socket.connect()
    assert not connected


async def test_an_anonymous_socket_from_the_configured_origin_is_closed_with_4401(db):
    socket = await open_socket()
    await socket.connect()
    assert (await socket.receive_output(timeout=5)) == {"type": "websocket.close", "code": 4401}
