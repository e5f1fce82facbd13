"""The client's address behind trusted proxies: one rule for every limit, ban and log line.

A direct client (a public peer) cannot name another address in X-Forwarded-For; a
trusted proxy (loopback and private ranges by default, TRUSTED_PROXIES otherwise)
can, counted TRUST_PROXY hops from the right as Express does.
"""

from __future__ import annotations

import ipaddress
import logging
import re

import pytest
from asgiref.sync import sync_to_async
from channels.testing import HttpCommunicator, WebsocketCommunicator
from django.core.asgi import get_asgi_application

from accounts import bans
from accounts.models import Violation
from chatapp.conf.environment import PRIVATE_NETWORKS
from chatapp.forwarding import ForwardedMiddleware, client_address
from tests.chatapp.conftest import BROWSER, frames_until, origin, send_frame, session_key, settle

aban = sync_to_async(bans.ban)
PRIVATE = tuple(ipaddress.ip_network(n) for n in PRIVATE_NETWORKS.split(","))
CHAIN = "198.51.100.1, 198.51.100.2, 10.1.1.1"


@pytest.mark.parametrize(
    ("peer", "hops", "expected"),
    [
        ("203.0.113.9", 1, "203.0.113.9"),  # a direct client names whatever it likes
        ("203.0.113.9", 5, "203.0.113.9"),
        ("10.0.0.9", 0, "10.0.0.9"),  # TRUST_PROXY=0: no proxy at all
        ("10.0.0.9", 1, "10.1.1.1"),  # the proxy's own peer, the rightmost entry
        ("10.0.0.9", 2, "198.51.100.2"),  # 10.1.1.1 is a trusted proxy too
        ("10.0.0.9", 3, "198.51.100.2"),  # 198.51.100.2 is no proxy of ours: it stops there
        ("127.0.0.1", 2, "198.51.100.2"),
        ("::1", 1, "10.1.1.1"),
        ("::ffff:10.0.0.9", 1, "10.1.1.1"),  # an IPv4 peer on a dual-stack socket
    ],
)
def test_forwarded_for_counts_only_from_trusted_proxies(peer, hops, expected):
    assert client_address(peer, CHAIN, hops, PRIVATE) == expected


def test_without_forwarded_for_the_peer_is_the_client():
    assert client_address("10.0.0.9", "", 1, PRIVATE) == "10.0.0.9"


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("not-an-address", "10.0.0.9"),  # garbage: the proxy that wrote it is all we know
        ("198.51.100.7:4711", "198.51.100.7"),
        ("[2001:db8::7]:4711", "2001:db8::7"),
        ("198.51.100.7,", "198.51.100.7"),
    ],
)
def test_forwarded_entries_are_addresses_or_nothing(forwarded, expected):
    assert client_address("10.0.0.9", forwarded, 1, PRIVATE) == expected


def test_a_list_of_trusted_proxies_replaces_the_private_ranges():
    trusted = (ipaddress.ip_network("192.0.2.0/24"),)
    assert client_address("10.0.0.9", "198.51.100.1", 1, trusted) == "10.0.0.9"
    assert client_address("192.0.2.5", "198.51.100.1", 1, trusted) == "198.51.100.1"


# --- the ASGI middleware: one scope for Django, the consumers and the access log -----


async def seen_scope(scope: dict) -> dict:
    """The scope the application behind the middleware receives."""
    seen = {}

    async def app(inner, receive, send):
        seen.update(inner)
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    communicator = HttpCommunicator(ForwardedMiddleware(app), "GET", "/")
    communicator.scope.update(scope)
    await communicator.get_response()
    return seen


async def test_a_trusted_proxy_sets_the_client_and_the_scheme(settings):
    settings.TRUST_PROXY, settings.TRUSTED_PROXIES = 1, PRIVATE
    headers = [(b"x-forwarded-for", b"198.51.100.4"), (b"x-forwarded-proto", b"https")]
    scope = await seen_scope({"client": ["10.0.0.2", 5555], "scheme": "http", "headers": headers})
    assert scope["client"][0] == "198.51.100.4" and scope["scheme"] == "https"
    assert not [name for name, _ in scope["headers"] if name.startswith(b"x-forwarded-")]


async def test_a_direct_client_cannot_claim_https_or_an_address(settings):
    settings.TRUST_PROXY, settings.TRUSTED_PROXIES = 1, PRIVATE
    headers = [(b"x-forwarded-for", b"198.51.100.4"), (b"x-forwarded-proto", b"https")]
    scope = await seen_scope(
        {"client": ["203.0.113.9", 5555], "scheme": "http", "headers": headers}
    )
    assert scope["client"] == ["203.0.113.9", 5555] and scope["scheme"] == "http"
    # Nothing behind the middleware can read the forged headers again (SECURE_PROXY_SSL_HEADER).
    assert not [name for name, _ in scope["headers"] if name.startswith(b"x-forwarded-")]


@pytest.fixture(scope="module")
def django_app():
    """Django's ASGI handler, made before a test's log capture starts (its set-up
    reconfigures logging, which would drop the capture)."""
    return get_asgi_application()


async def get(
    django_app, path: str, peer: str, forwarded: str = "", *, method="GET", body=b"", headers=()
) -> dict:
    """A request for `path` through the middleware and Django, from `peer`."""
    headers = [(b"host", b"localhost"), *headers]
    headers += [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    communicator = HttpCommunicator(ForwardedMiddleware(django_app), method, path, body)
    communicator.scope.update(client=[peer, 5555], headers=headers)
    return await communicator.get_response(timeout=10)


@pytest.mark.django_db(transaction=True)
async def test_a_direct_client_cannot_forge_its_way_past_a_ban(django_app, settings, caplog):
    settings.TRUST_PROXY, settings.TRUSTED_PROXIES = 1, PRIVATE
    await aban(None, "203.0.113.77", reason="test")
    with caplog.at_level(logging.INFO, logger="chatapp.access"):
        response = await get(
            django_app, "/accounts/login/", "203.0.113.77", forwarded="198.51.100.1"
        )
    assert response["status"] == 403
    (line,) = [r.getMessage() for r in caplog.records if r.name == "chatapp.access"]
    assert line.startswith('203.0.113.77 "GET /accounts/login/" 403 ')
    assert "198.51.100.1" not in line


@pytest.mark.django_db(transaction=True)
async def test_a_direct_client_cannot_get_another_address_banned(django_app, settings):
    settings.TRUST_PROXY, settings.TRUSTED_PROXIES = 1, PRIVATE
    await aban(None, "198.51.100.1", reason="test")
    assert (await get(django_app, "/accounts/login/", "203.0.113.5", forwarded="198.51.100.1"))[
        "status"
    ] == 200


@pytest.mark.django_db(transaction=True)
async def test_behind_a_trusted_proxy_the_forwarded_client_is_banned_and_logged(
    django_app, settings, caplog
):
    settings.TRUST_PROXY, settings.TRUSTED_PROXIES = 2, PRIVATE
    await aban(None, "198.51.100.2", reason="test")
    with caplog.at_level(logging.INFO, logger="chatapp.access"):
        response = await get(django_app, "/accounts/login/", "10.0.0.2", forwarded=CHAIN)
    assert response["status"] == 403
    (line,) = [r.getMessage() for r in caplog.records if r.name == "chatapp.access"]
    assert line.startswith('198.51.100.2 "GET /accounts/login/" 403 ')


@pytest.mark.django_db(transaction=True)
async def test_a_failed_sign_in_is_scored_against_the_real_address(django_app, settings):
    """The login throttle and the login violations read the same address."""
    settings.TRUST_PROXY, settings.TRUSTED_PROXIES = 1, PRIVATE
    page = await get(django_app, "/accounts/login/", "203.0.113.5", "198.51.100.1")
    cookie = dict(page["headers"])[b"Set-Cookie"].split(b";")[0]
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page["body"]).group(1)
    form = b"login=nobody%40example.com&password=wrong-pw&csrfmiddlewaretoken=" + token
    form_headers = [(b"cookie", cookie), (b"content-type", b"application/x-www-form-urlencoded")]
    await get(
        django_app, "/accounts/login/", "203.0.113.5", "198.51.100.1",
        method="POST", body=form, headers=form_headers,
    )  # fmt: skip
    violation = await Violation.objects.aget(kind="logins")
    assert violation.ip == "203.0.113.5"


@pytest.mark.django_db(transaction=True)
async def test_hsts_only_when_a_trusted_proxy_says_https(django_app, settings):
    settings.TRUST_PROXY, settings.TRUSTED_PROXIES = 1, PRIVATE
    assert settings.SECURE_HSTS_SECONDS  # on by default (HSTS_MAX_AGE), for HTTPS responses
    https = [(b"x-forwarded-proto", b"https")]
    proxied = await get(django_app, "/accounts/login/", "10.0.0.2", headers=https)
    assert b"Strict-Transport-Security" in dict(proxied["headers"])
    direct = await get(django_app, "/accounts/login/", "203.0.113.5", headers=https)
    assert b"Strict-Transport-Security" not in dict(direct["headers"])


# --- the chat socket: the same address for its bans, limits and violations --------------


async def socket_from(user, peer: str, forwarded: str) -> WebsocketCommunicator:
    """A signed-in socket through the middleware and the real WebSocket stack, from `peer`."""
    from chatapp.routing import websocket_application

    session = await sync_to_async(session_key)(user)
    headers = [*BROWSER, (b"origin", origin()), (b"cookie", f"sessionid={session}".encode())]
    headers.append((b"x-forwarded-for", forwarded.encode()))
    app = ForwardedMiddleware(websocket_application())
    socket = WebsocketCommunicator(app, "/ws/chat/", headers=headers)
    socket.scope["client"] = [peer, 5555]
    assert (await socket.connect())[0]
    return socket


@pytest.mark.django_db(transaction=True)
async def test_a_socket_cannot_forge_its_way_past_a_ban(user, settings, fresh_layer, caplog):
    settings.TRUST_PROXY, settings.TRUSTED_PROXIES = 1, PRIVATE
    await aban(None, "203.0.113.77", reason="test")
    with caplog.at_level(logging.INFO, logger="chatapp.access"):
        socket = await socket_from(user, "203.0.113.77", "198.51.100.1")
        (frame,) = await frames_until(socket, "error")
    assert frame["code"] == "banned"
    assert (await socket.receive_output(5)) == {"type": "websocket.close", "code": 4403}
    logged = [r.getMessage() for r in caplog.records if r.name == "chatapp.access"]
    assert logged == ['203.0.113.77 "WSCONNECT /ws/chat/"']


@pytest.mark.django_db(transaction=True)
async def test_a_socket_violation_is_scored_against_the_real_address(
    user, settings, chat_endpoint, fresh_layer
):
    settings.TRUST_PROXY, settings.TRUSTED_PROXIES = 1, PRIVATE
    settings.LIMIT_MESSAGE_IP = settings.LIMIT_MESSAGE_USER = False
    settings.LIMIT_CONCURRENT_MESSAGES = settings.OPENAI_MODERATION = False
    settings.CHECK_BALANCE = False
    socket = await socket_from(user, "203.0.113.5", "198.51.100.1")
    await socket.send_json_to(send_frame("hi", model="gpt-secret"))
    (frame,) = await frames_until(socket, "error")
    assert frame["code"] == "illegal_model"
    violation = await Violation.objects.aget()
    assert violation.ip == "203.0.113.5"
    await settle()
    await socket.disconnect()
