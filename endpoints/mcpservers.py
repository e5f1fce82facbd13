"""librechat.yaml's `mcpServers` and `mcpSettings`, resolved (docs/tools.md).

`from_config(config)` gives one frozen `McpServerConfig` per server with `${VAR}`
resolved at load, as endpoints' headers are. What varies per user is resolved when a
user's connection opens (`for_user`): `{{LIBRECHAT_USER_*}}` and `{{LIBRECHAT_BODY_*}}`
(endpoints.headers), the user's `customUserVars` as `{{NAME}}`, and a user's `apiKey`.
A server that needs any of these connects per user; the others once per process.

Remote servers' URLs obey `mcpSettings`: `allowedDomains` is a strict list of hosts
(`*.example.com` for subdomains) and private addresses are refused unless their
`host:port` is in `allowedAddresses` (endpoints.addresses, checked at each connect).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Literal
from urllib.parse import urlsplit

from endpoints import addresses, interpolate
from endpoints.adapters.base import RequestContext
from endpoints.endpoint import Config
from endpoints.headers import PLACEHOLDER
from endpoints.headers import resolve as resolve_headers
from endpoints.sections import McpServer, transport_of

Transport = Literal["stdio", "sse", "streamable-http", "websocket"]
DEFAULT_TIMEOUT = 60.0  # seconds, LibreChat's `timeout`
DEFAULT_INIT_TIMEOUT = 30.0  # seconds, LibreChat's `initTimeout`
VAR = re.compile(r"\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}")


def _empty() -> Mapping[str, str]:
    return MappingProxyType({})


@dataclass(frozen=True)
class UserVar:
    title: str
    description: str = ""


@dataclass(frozen=True)
class ApiKey:
    source: Literal["admin", "user"]
    authorization_type: Literal["bearer", "basic", "custom"] = "bearer"
    custom_header: str | None = None
    key: str | None = None  # the operator's key, resolved (source admin)

    def header(self, key: str) -> tuple[str, str]:
        if self.authorization_type == "custom":
            return self.custom_header or "X-Api-Key", key
        if self.authorization_type == "basic":
            return "Authorization", f"Basic {key}"
        return "Authorization", f"Bearer {key}"


@dataclass(frozen=True)
class McpServerConfig:
    name: str
    transport: Transport
    command: str | None = None
    args: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=_empty)
    cwd: str | None = None
    stderr_inherit: bool = False  # `stderr: inherit`: the server's stderr goes to Parley's
    url: str | None = None
    headers: Mapping[str, str] = field(default_factory=_empty)
    user_vars: Mapping[str, UserVar] = field(default_factory=lambda: MappingProxyType({}))
    api_key: ApiKey | None = None
    timeout: float = DEFAULT_TIMEOUT
    init_timeout: float = DEFAULT_INIT_TIMEOUT
    chat_menu: bool = True
    instructions: bool | str = False  # True: the server's own; a string: this text
    startup: bool = True
    icon_path: str = ""
    title: str = ""
    description: str = ""
    unavailable: str | None = None  # why Parley cannot connect to it at all

    @property
    def label(self) -> str:
        return self.title or self.name

    @property
    def user_key(self) -> bool:
        return self.api_key is not None and self.api_key.source == "user"

    @property
    def per_user(self) -> bool:
        """Needs something of a user: their variables, their key, or their fields."""
        texts = [self.url or "", *self.headers.values(), *self.args, *self.env.values()]
        return bool(self.user_vars) or self.user_key or any(PLACEHOLDER.search(t) for t in texts)


@dataclass(frozen=True)
class McpSettings:
    allowed_domains: tuple[str, ...] | None = None  # None: any domain
    allowed_addresses: frozenset[str] = frozenset()


@dataclass(frozen=True)
class McpConfig:
    servers: Mapping[str, McpServerConfig] = field(default_factory=lambda: MappingProxyType({}))
    settings: McpSettings = field(default_factory=McpSettings)

    def menu(self) -> list[McpServerConfig]:
        """The servers the composer's picker offers (`chatMenu`), in file order."""
        return [server for server in self.servers.values() if server.chat_menu]


def from_config(config: Config, env: Mapping[str, str]) -> McpConfig:
    """The servers of a loaded config, `${VAR}` resolved from `env`."""
    file = config.file
    if file is None or not (file.mcpServers or file.mcpSettings):
        return McpConfig()
    section = file.mcpSettings
    settings = McpSettings(
        allowed_domains=tuple(section.allowedDomains)
        if section and section.allowedDomains is not None
        else None,
        allowed_addresses=addresses.allowed_set(section.allowedAddresses if section else None),
    )
    declared = file.mcpServers or {}
    servers = {name: resolve(name, server, env, settings) for name, server in declared.items()}
    return McpConfig(MappingProxyType(servers), settings)


def resolve(
    name: str, server: McpServer, env: Mapping[str, str], settings: McpSettings
) -> McpServerConfig:
    reasons: list[str] = []

    def value(raw: str | None, where: str) -> str | None:
        if raw is None:
            return None
        result = interpolate.resolve(raw, env)
        if result.missing:
            reasons.append(f"{', '.join(result.missing)} not set ({where})")
        return result.value

    def values(raw: Mapping[str, str] | None, where: str) -> Mapping[str, str]:
        resolved = {k: value(v, f"{where}.{k}") or "" for k, v in (raw or {}).items()}
        return MappingProxyType(resolved)

    transport = transport_of(server) or "stdio"
    api_key = None
    if server.apiKey is not None:
        key = server.apiKey
        api_key = ApiKey(
            key.source, key.authorization_type, key.custom_header, value(key.key, "apiKey.key")
        )
    url = value(server.url, "url")
    instructions = server.serverInstructions
    result = McpServerConfig(
        name=name,
        transport=transport,  # type: ignore[arg-type]
        command=server.command,
        args=tuple(value(a, "args") or "" for a in server.args or ()),
        env=values(server.env, "env"),
        cwd=server.cwd,
        stderr_inherit=server.stderr == "inherit",
        url=url,
        headers=values(server.headers, "headers"),
        user_vars=MappingProxyType(
            {
                var: UserVar(spec.title, spec.description or "")
                for var, spec in (server.customUserVars or {}).items()
            }
        ),
        api_key=api_key,
        timeout=(server.timeout or DEFAULT_TIMEOUT * 1000) / 1000,
        init_timeout=(server.initTimeout or DEFAULT_INIT_TIMEOUT * 1000) / 1000,
        chat_menu=server.chatMenu,
        instructions=instructions if instructions is not None else False,
        startup=server.startup,
        icon_path=server.iconPath or "",
        title=server.title or "",
        description=server.description or "",
    )
    reasons += unsupported(server, transport)
    if url and transport != "websocket" and not VAR.search(url):
        reasons += [r for r in [url_refusal(url, settings)] if r]
    return replace(result, unavailable="; ".join(reasons) or None)


def unsupported(server: McpServer, transport: str) -> list[str]:
    found = []
    if transport == "websocket":
        found.append("Parley does not connect to websocket MCP servers yet")
    if server.oauth is not None or server.requiresOAuth:
        found.append("Parley does not sign in to MCP servers with OAuth yet")
    return found


def domain_allowed(host: str, scheme: str, port: int | None, patterns: tuple[str, ...]) -> bool:
    """`host` against `allowedDomains` entries: a host, `*.host`, or a URL (scheme and
    port then have to match too)."""
    for pattern in patterns:
        if "://" in pattern:
            parts = urlsplit(pattern)
            if parts.scheme != scheme or (parts.port and parts.port != port):
                continue
            pattern = parts.hostname or ""
        pattern = pattern.lower().rstrip(".")
        if host == pattern or (pattern.startswith("*.") and fnmatch.fnmatch(host, pattern)):
            return True
        if pattern.startswith("*.") and host == pattern[2:]:
            return True
    return False


def url_refusal(url: str, settings: McpSettings) -> str | None:
    """Why a server URL is out of bounds before any lookup: not http(s), or a domain that
    `allowedDomains` does not list."""
    problem = interpolate.url_problem(url)
    if problem:
        return f"url {problem}"
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    if settings.allowed_domains is not None and not domain_allowed(
        host, parts.scheme, parts.port, settings.allowed_domains
    ):
        return f"{host} is not in mcpSettings.allowedDomains"
    return None


async def check_address(url: str, settings: McpSettings) -> None:
    """Refused (endpoints.addresses) unless `url` may be called: its domain allowed, and
    every address it resolves to public or listed in `mcpSettings.allowedAddresses`."""
    reason = url_refusal(url, settings)
    if reason:
        raise addresses.Refused(reason)
    try:
        await addresses.acheck(url, settings.allowed_addresses)
    except addresses.Refused as refusal:
        message = str(refusal).replace("a user-provided base URL", "an MCP server")
        raise addresses.Refused(
            message.replace("endpoints.allowedAddresses", "mcpSettings.allowedAddresses")
        ) from refusal


@dataclass(frozen=True)
class UserValues:
    """What one user gave for a server: their `customUserVars` values and key."""

    variables: Mapping[str, str] = field(default_factory=_empty)
    api_key: str = ""

    def missing(self, server: McpServerConfig) -> list[str]:
        absent = [
            server.user_vars[name].title
            for name in server.user_vars
            if not self.variables.get(name, "").strip()
        ]
        if server.user_key and not self.api_key.strip():
            absent.append("API key")
        return absent


def for_user(
    server: McpServerConfig, context: RequestContext, given: UserValues
) -> McpServerConfig:
    """The server with every placeholder filled for this user (and request) and the key's
    header added. Unknown `{{NAME}}`s stay as written, as LibreChat leaves them."""

    def fill(text: str) -> str:
        text = resolve_headers({"v": text}, context)["v"]
        return VAR.sub(lambda m: given.variables.get(m[1], m[0]), text)

    headers = {name: fill(value) for name, value in server.headers.items()}
    key = server.api_key
    if key is not None:
        secret = key.key if key.source == "admin" else given.api_key
        if secret:
            name, value = key.header(secret)
            headers[name] = value
    return replace(
        server,
        url=fill(server.url) if server.url else None,
        headers=MappingProxyType(headers),
        args=tuple(fill(arg) for arg in server.args),
        env=MappingProxyType({name: fill(value) for name, value in server.env.items()}),
    )


def current() -> McpConfig:
    """The running configuration's servers."""
    from django.conf import settings

    from endpoints import config

    return from_config(config.current(), settings.ENV)
