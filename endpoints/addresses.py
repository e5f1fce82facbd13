"""Which user-provided base URLs Parley may call: LibreChat's SSRF guard (reference §b.4).

A user who supplies an endpoint's base URL (`baseURL: user_provided`) could
otherwise make the server send requests, with the user's key, to loopback,
private or link-local addresses: cloud metadata at 169.254.169.254, internal
services. As in LibreChat, such a URL must be http(s), and every address its
host resolves to must be public, unless the URL's `host:port` is listed in
`endpoints.allowedAddresses`. Base URLs the operator configured are the
operator's choice and are never checked.

Entries are `host:port`, `private.ip:port` or `[ipv6]:port`, as LibreChat
accepts them: no URLs, paths, CIDR ranges, bare hosts or public IP literals.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Iterable
from ipaddress import IPv4Address, IPv6Address
from typing import Any
from urllib.parse import urlsplit

IPAddress = IPv4Address | IPv6Address
DEFAULT_PORTS = {"http": 80, "https": 443}
SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT (RFC 6598)
NAT64 = ipaddress.ip_network("64:ff9b::/96")
IETF = ipaddress.ip_network("192.0.0.0/24")  # protocol assignments; LibreChat refuses all of it
ENTRY = re.compile(r"^(?:\[(?P<v6>[^\]\s/]+)\]|(?P<host>[^:\[\]\s/]+)):(?P<port>\d{1,5})$")
SETTING = "endpoints.allowedAddresses"


class Refused(Exception):
    """A URL Parley will not call for a user; `str()` is the message to show them."""


def kind_of(address: IPAddress) -> str | None:
    """What makes `address` unfit for a user-provided URL ("loopback", …), or None if public."""
    if isinstance(address, IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return kind_of(embedded)
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("shared (carrier-grade NAT)", isinstance(address, IPv4Address) and address in SHARED),
        ("private", address.is_private or getattr(address, "is_site_local", False)),
        ("reserved", address.is_reserved or not address.is_global or address in IETF),
    )
    return next((name for name, matched in checks if matched), None)


def _embedded_ipv4(address: IPv6Address) -> IPv4Address | None:
    """The IPv4 address inside an IPv4-mapped, 6to4, Teredo or NAT64 IPv6 address."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in NAT64:
        return IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def entry_problem(entry: Any) -> str | None:
    """Why an `allowedAddresses` entry is not acceptable, or None."""
    shape = "must be host:port, private.ip:port or [ipv6]:port (no scheme, path or CIDR range)"
    if not isinstance(entry, str) or not (match := ENTRY.match(entry)):
        return shape
    if not 0 < int(match["port"]) < 65536:
        return "has a port outside 1-65535"
    literal = _literal(match["v6"] or match["host"])
    if match["v6"] and literal is None:
        return shape
    if literal is not None and kind_of(literal) is None:
        return "is a public IP address: public addresses are never refused, nothing to allow"
    return None


def allowed_set(entries: Iterable[str] | None) -> frozenset[str]:
    """The acceptable entries, normalised for `host_port` comparisons."""
    found = set()
    for entry in entries or ():
        if entry_problem(entry) is None:
            match = ENTRY.match(entry)
            assert match is not None
            found.add(_host_port(match["v6"] or match["host"], int(match["port"])))
    return frozenset(found)


def _host_port_of(url: str) -> tuple[str, int]:
    """The URL's host and port (the scheme's default when absent); Refused if not http(s)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise Refused(f"{url} is not a valid URL ({error}).") from error
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise Refused(f"{url} must start with http:// or https:// and name a host.")
    return parts.hostname, port or DEFAULT_PORTS[parts.scheme]


def _host_to_resolve(
    url: str, allowed: frozenset[str], setting: str = SETTING
) -> tuple[str, int] | None:
    """What is left to resolve for `url`: None when it is allowed or a fit IP literal."""
    host, port = _host_port_of(url)
    if _host_port(host, port) in allowed:
        return None
    literal = _literal(host)
    if literal is not None:
        _check_addresses(url, host, port, [literal], setting=setting)
        return None
    return host, port


def check(
    url: str, allowed: frozenset[str], *, unresolved_ok: bool = False, setting: str = SETTING
) -> None:
    """Refused unless `url` may be called for a user; resolves its host now (blocking).

    `unresolved_ok`: a host that does not resolve passes (saving a URL while its DNS is
    down); the request-time check refuses it then.
    """
    target = _host_to_resolve(url, allowed, setting)
    if target is None:
        return
    try:
        infos = socket.getaddrinfo(*target, type=socket.SOCK_STREAM)
    except OSError as error:
        if unresolved_ok:
            return
        raise _unresolved(url, error) from error
    _check_addresses(url, *target, _addresses(infos), setting=setting)


async def acheck(url: str, allowed: frozenset[str], setting: str = SETTING) -> None:
    """`check`, resolving the host without blocking the event loop; `setting` is the
    allowedAddresses a refusal points the administrator to."""
    target = _host_to_resolve(url, allowed, setting)
    if target is None:
        return
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(*target, type=socket.SOCK_STREAM)
    except OSError as error:
        raise _unresolved(url, error) from error
    _check_addresses(url, *target, _addresses(infos), setting=setting)


def request_guard(allowed: frozenset[str]):
    """An httpx `request` event hook: re-checks each request's host right before it is sent,
    so a name that resolved to a public address when saved cannot now point inside."""

    async def guard(request: Any) -> None:
        await acheck(str(request.url), allowed)

    return guard


def _check_addresses(
    url: str, host: str, port: int, addresses: list[IPAddress], setting: str = SETTING
) -> None:
    for address in addresses:
        kind = kind_of(address)
        if kind is not None:
            entry = _host_port(host, port)
            what = "a user-provided base URL" if setting == SETTING else "web search"
            raise Refused(
                f"{url} points to {address}, a {kind} address, which {what} "
                f"may not reach. If this server is meant to call it, an administrator can add "
                f'"{entry}" to {setting} in librechat.yaml.'
            )


def _unresolved(url: str, error: OSError) -> Refused:
    return Refused(f"The host of {url} could not be resolved ({error.strerror or error}).")


def _addresses(infos: list[tuple[Any, ...]]) -> list[IPAddress]:
    # The scope of a link-local IPv6 address (`fe80::1%eth0`) is not part of the address.
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def _host_port(host: str, port: int) -> str:
    """`host:port` as entries are compared: IP literals in their canonical form."""
    literal = _literal(host)
    host = str(literal) if literal is not None else host.lower().rstrip(".")
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
