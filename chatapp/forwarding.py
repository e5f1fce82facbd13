"""Who the client is behind reverse proxies, for every HTTP request and socket.

`ForwardedMiddleware` wraps the whole ASGI application (chatapp/asgi.py). It puts
the client's address in the scope's `client` and the forwarded scheme in its
`scheme`, drops the X-Forwarded-For and X-Forwarded-Proto headers it consumed,
and writes the access log. So Django's REMOTE_ADDR, the socket's scope["client"],
the limits, the bans, the login throttle and the access log all see the one
address `client_address` computes, and nothing behind it can read a forged
header again (not even Django's SECURE_PROXY_SSL_HEADER).

A forwarded header counts only when the proxy that wrote it is trusted: the
connection's peer, then each address X-Forwarded-For names from the right, must
lie in TRUSTED_PROXIES (loopback and private ranges by default), and at most
TRUST_PROXY of them are proxies (Express's `trust proxy` = N, as LibreChat sets
it, counted from the right the same way).
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
CONSUMED = (b"x-forwarded-for", b"x-forwarded-proto")
access_log = logging.getLogger("chatapp.access")


def parse_address(text: str) -> Address | None:
    """`text` as an address (`[v6]:port` and `v4:port` as proxies write them), or None."""
    text = text.strip()
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:
        text = text.split(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def _trusted(address: Address | None, trusted: Sequence[Network]) -> bool:
    return address is not None and any(address in network for network in trusted)


def client_address(peer: str, forwarded_for: str, hops: int, trusted: Sequence[Network]) -> str:
    """The client's address: walking from the peer leftwards through X-Forwarded-For,
    the first address that is not a trusted proxy, passing at most `hops` proxies."""
    address = parse_address(peer)
    named = [part for part in reversed(forwarded_for.split(",")) if part.strip()]
    for entry in named[:hops]:
        if not _trusted(address, trusted):
            break
        previous, address = address, parse_address(entry)
        if address is None:  # garbage: the proxy that wrote it is the best we know
            address = previous
            break
    return str(address) if address is not None else peer


def forwarded_scheme(peer: str, forwarded_proto: str, hops: int, trusted: Sequence[Network]):
    """`http` or `https` from X-Forwarded-Proto when the peer is a trusted proxy, else None.

    The first value counts, as Express and Django read it: the scheme the client used.
    """
    if not hops or not _trusted(parse_address(peer), trusted):
        return None
    scheme = forwarded_proto.split(",")[0].strip().lower()
    return scheme if scheme in ("http", "https") else None


def _header(scope: dict[str, Any], name: bytes) -> str:
    """Every value of header `name`, joined as one list (a proxy may add a line of its own)."""
    values = [value.decode("latin-1") for key, value in scope["headers"] if key.lower() == name]
    return ",".join(values)


def resolve(scope: dict[str, Any], hops: int, trusted: Sequence[Network]) -> dict[str, Any]:
    """A copy of an HTTP or WebSocket scope with the client and scheme behind the proxies."""
    peer, port = scope.get("client") or ("", 0)
    client = client_address(peer, _header(scope, b"x-forwarded-for"), hops, trusted)
    resolved = {
        **scope,
        "client": [client, port if client == peer else 0],
        "headers": [(n, v) for n, v in scope["headers"] if n.lower() not in CONSUMED],
    }
    scheme = forwarded_scheme(peer, _header(scope, b"x-forwarded-proto"), hops, trusted)
    if scheme:
        resolved["scheme"] = scheme if scope["type"] == "http" else scheme.replace("http", "ws")
    return resolved


class ForwardedMiddleware:
    """Resolve the client of every HTTP and WebSocket scope, and log each request."""

    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive, send) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        scope = resolve(scope, settings.TRUST_PROXY, settings.TRUSTED_PROXIES)
        logged = AccessLog(scope)
        return await self.app(scope, logged.receive(receive), logged.send(send))


class AccessLog:
    """One line per HTTP response and per socket opened, refused or closed, with the
    resolved client (daphne's own access log would show the proxy or a forged address)."""

    def __init__(self, scope: dict[str, Any]) -> None:
        self.client = scope["client"][0] or "-"
        self.method = scope.get("method")
        self.path = scope["path"]
        self.status = self.size = 0
        self.accepted = False

    def send(self, send):
        async def logged(message: dict[str, Any]) -> None:
            kind = message["type"]
            if kind == "http.response.start":
                self.status = message["status"]
            elif kind == "http.response.body":
                self.size += len(message.get("body", b""))
                if not message.get("more_body"):
                    self.write(f'"{self.method} {self.path}" {self.status} {self.size}')
            elif kind == "websocket.accept":
                self.accepted = True
                self.write(f'"WSCONNECT {self.path}"')
            elif kind == "websocket.close" and not self.accepted:
                self.write(f'"WSREJECT {self.path}"')
            await send(message)

        return logged

    def receive(self, receive):
        async def logged() -> dict[str, Any]:
            message = await receive()
            if message["type"] == "websocket.disconnect" and self.accepted:
                self.write(f'"WSDISCONNECT {self.path}" {message.get("code", "-")}')
            return message

        return logged

    def write(self, entry: str) -> None:
        access_log.info("%s %s", self.client, entry)
