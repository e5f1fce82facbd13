"""endpoints.addresses: which user-provided base URLs may be called (no network: literal IPs,
`localhost`, and a stubbed resolver)."""

from __future__ import annotations

import ipaddress
import socket

import pytest

from endpoints import addresses
from endpoints.addresses import Refused

NONE: frozenset[str] = frozenset()


def resolving_to(monkeypatch, *ips: str) -> None:
    """Every name resolves to `ips` (as getaddrinfo would return them)."""

    def fake(host, port, *args, **kwargs):
        family = {4: socket.AF_INET, 6: socket.AF_INET6}
        return [
            (
                family[ipaddress.ip_address(ip.split("%")[0]).version],
                socket.SOCK_STREAM,
                6,
                "",
                (ip, port),
            )
            for ip in ips
        ]

    monkeypatch.setattr(socket, "getaddrinfo", fake)


@pytest.mark.parametrize(
    ("ip", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("fd00::1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("100.64.0.1", "shared (carrier-grade NAT)"),
        ("100.127.255.254", "shared (carrier-grade NAT)"),
        ("240.0.0.1", "private"),
        ("198.18.0.1", "private"),
        ("192.0.0.8", "reserved"),
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped
        ("::ffff:169.254.169.254", "link-local"),
        ("2002:a00:1::", "private"),  # 6to4 of 10.0.0.1
        ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 of 169.254.169.254
        ("2001:db8::1", "private"),  # documentation
    ],
)
def test_inside_addresses_are_named(ip, kind) -> None:
    assert addresses.kind_of(ipaddress.ip_address(ip)) == kind


@pytest.mark.parametrize(
    "ip",
    ["8.8.8.8", "1.1.1.1", "100.63.255.255", "100.128.0.0", "2606:4700::1111", "::ffff:8.8.8.8"],
)
def test_public_addresses_pass(ip) -> None:
    assert addresses.kind_of(ipaddress.ip_address(ip)) is None


def test_literal_urls_are_decided_without_resolving(monkeypatch) -> None:
    monkeypatch.setattr(socket, "getaddrinfo", None)  # any lookup would fail loudly
    addresses.check("https://8.8.8.8/v1", NONE)
    with pytest.raises(Refused) as refused:
        addresses.check("http://169.254.169.254/latest/meta-data", NONE)
    assert str(refused.value) == (
        "http://169.254.169.254/latest/meta-data points to 169.254.169.254, a link-local "
        "address, which a user-provided base URL may not reach. If this server is meant to "
        'call it, an administrator can add "169.254.169.254:80" to endpoints.allowedAddresses '
        "in librechat.yaml."
    )
    with pytest.raises(Refused, match=r'add "\[::1\]:443"'):
        addresses.check("https://[::1]/v1", NONE)


def test_localhost_is_loopback() -> None:
    with pytest.raises(Refused, match='a loopback address.*add "localhost:11434"'):
        addresses.check("http://localhost:11434/v1", NONE)


def test_every_resolved_address_must_be_public(monkeypatch) -> None:
    resolving_to(monkeypatch, "93.184.215.14")
    addresses.check("https://api.example.com/v1", NONE)
    resolving_to(monkeypatch, "93.184.215.14", "10.0.0.7")
    with pytest.raises(Refused, match="points to 10.0.0.7, a private address"):
        addresses.check("https://api.example.com/v1", NONE)
    resolving_to(monkeypatch, "fe80::1%eth0")
    with pytest.raises(Refused, match="fe80::1, a link-local address"):
        addresses.check("https://api.example.com/v1", NONE)


async def test_the_async_check_resolves_too(monkeypatch) -> None:
    resolving_to(monkeypatch, "127.0.0.1")
    with pytest.raises(Refused, match='add "rebound.example.com:8443"'):
        await addresses.acheck("https://rebound.example.com:8443/v1", NONE)
    await addresses.acheck(
        "https://rebound.example.com:8443/v1", frozenset({"rebound.example.com:8443"})
    )


def test_a_host_that_does_not_resolve(monkeypatch) -> None:
    def fail(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    with pytest.raises(Refused, match="could not be resolved"):
        addresses.check("https://nowhere.example/v1", NONE)
    addresses.check("https://nowhere.example/v1", NONE, unresolved_ok=True)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://8.8.8.8/",
        "file:///etc/passwd",
        "gopher://127.0.0.1:70/",
        "http:///v1",
        "http://h:99999/",
    ],
)
def test_only_http_and_https_with_a_host(url) -> None:
    with pytest.raises(Refused):
        addresses.check(url, NONE)


def test_listed_host_port_pairs_are_allowed_and_only_on_that_port() -> None:
    allowed = addresses.allowed_set(["127.0.0.1:11434", "LocalHost:8080", "[::1]:9", "10.0.0.5:80"])
    addresses.check("http://127.0.0.1:11434/v1", allowed)
    addresses.check("http://localhost:8080/v1", allowed)
    addresses.check("http://[0:0::1]:9/v1", allowed)  # compared in canonical form
    addresses.check("http://10.0.0.5/v1", allowed)  # the scheme's default port
    with pytest.raises(Refused):
        addresses.check("http://127.0.0.1:11435/v1", allowed)
    with pytest.raises(Refused):
        addresses.check("https://10.0.0.5/v1", allowed)  # 443, not 80


@pytest.mark.parametrize(
    "entry",
    [
        "127.0.0.1",
        "localhost",
        "http://127.0.0.1:8080",
        "10.0.0.0/8",
        "10.0.0.5:80/v1",
        "::1",
        "[::1]",
        "host :80",
        "h:0",
        "h:70000",
        "[not-ip]:80",
        "8.8.8.8:53",
        "[2606:4700::1111]:443",
        42,
    ],
)
def test_malformed_or_public_entries_are_refused(entry) -> None:
    assert addresses.entry_problem(entry) is not None
    assert addresses.allowed_set([entry] if isinstance(entry, str) else []) == NONE


@pytest.mark.parametrize(
    "entry",
    ["127.0.0.1:11434", "ollama:11434", "host.docker.internal:80", "[::1]:8080", "10.0.0.5:8080"],
)
def test_accepted_entries(entry) -> None:
    assert addresses.entry_problem(entry) is None


async def test_the_request_guard_checks_each_request() -> None:
    import httpx

    guard = addresses.request_guard(frozenset({"127.0.0.1:9"}))
    await guard(httpx.Request("GET", "http://127.0.0.1:9/v1/models"))
    with pytest.raises(Refused):
        await guard(httpx.Request("GET", "http://127.0.0.1:10/v1/models"))
