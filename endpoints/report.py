"""The text `check_config` prints: resolved endpoints with secrets masked, then problems."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from endpoints import interpolate
from endpoints.breaker import Breaker, channel_id
from endpoints.endpoint import USER_PROVIDED, Config, Endpoint
from endpoints.files import KINDS
from endpoints.filestorage import StorageSettings
from endpoints.mcpservers import McpConfig
from endpoints.problems import Problem

MCP_COLUMNS = ("MCP server", "type", "command or url", "status")
COLUMNS = ("endpoint", "kind", "base URL", "models", "key", "streamRate", "titles", "status")


def mask(secret: str | None) -> str:
    """Enough of a key to recognise it, never enough to use it."""
    if secret is None:
        return "-"
    if secret == USER_PROVIDED or interpolate.references(secret):
        return secret  # not a secret: the marker, or a reference to an unset variable
    return f"{secret[:3]}…{secret[-4:]}" if len(secret) >= 16 else "****"


def key_of(endpoint: Endpoint) -> str:
    """The masked key and where it comes from."""
    if len(endpoint.channels) > 1:
        return f"{len(endpoint.channels)} keys (fail-over, below)"
    shown = credentials(endpoint)
    source = endpoint.key_source
    if not source or source == "user" or "${" in shown:  # nothing the value does not say
        return shown
    return f"{shown} ({source})"


def credentials(endpoint: Endpoint) -> str:
    if endpoint.azure:
        keys = sorted({mask(d.api_key) for d in endpoint.azure.values()})
        return ", ".join(keys)
    if endpoint.bedrock:
        aws = endpoint.bedrock
        if aws.bearer_token:
            return f"bearer {mask(aws.bearer_token)}"
        if aws.profile:
            return f"profile {aws.profile}"
        if aws.secret_access_key == USER_PROVIDED:
            return USER_PROVIDED
        return f"aws {mask(aws.access_key_id)}" if aws.access_key_id else "aws default chain"
    return mask(endpoint.api_key)


def models_of(endpoint: Endpoint) -> str:
    names = endpoint.models.default
    shown = ", ".join(names[:3]) + (f" (+{len(names) - 3})" if len(names) > 3 else "")
    return shown + (" +fetch" if endpoint.models.fetch else "")


def titles_of(endpoint: Endpoint) -> str:
    title = endpoint.title
    if not title.enabled:
        return "off"
    where = f"@{title.endpoint}" if title.endpoint else ""
    return f"{title.method}/{title.timing} {title.model or 'current_model'}{where}"


def row(endpoint: Endpoint) -> tuple[str, ...]:
    status = "ok" if endpoint.available else f"unavailable: {endpoint.unavailable}"
    return (
        endpoint.name,
        endpoint.kind,
        endpoint.base_url or "(provider default)",
        models_of(endpoint),
        key_of(endpoint),
        f"{endpoint.stream_rate:g}",
        titles_of(endpoint),
        status,
    )


CHANNEL_COLUMNS = ("  channel", "key", "base URL", "priority", "weight", "state")


def channel_rows(endpoint: Endpoint, breaker: Breaker | None) -> list[tuple[str, ...]]:
    """Each key of a fail-over endpoint, masked, with its breaker state."""
    rows = []
    for channel in endpoint.channels:
        key = mask(channel.api_key)
        source = channel.key_source
        shown = f"{key} ({source})" if source and "${" not in key else key
        state = breaker.describe(channel_id(endpoint, channel)) if breaker else "-"
        rows.append(
            (f"  {channel.name}", shown, channel.base_url or "(provider default)",
             str(channel.priority),
             str(channel.weight), state)
        )  # fmt: skip
    return rows


def channels_of(config: Config, breaker: Breaker | None) -> list[str]:
    out = []
    for endpoint in config.endpoints.values():
        if len(endpoint.channels) > 1:
            out.append(f"Keys of {endpoint.name} (fail-over):")
            out.append(table([CHANNEL_COLUMNS, *channel_rows(endpoint, breaker)]))
    return out


def table(rows: Sequence[tuple[str, ...]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(r, widths, strict=True)) for r in rows
    ]
    return "\n".join(line.rstrip() for line in lines)


def mcp_rows(servers: McpConfig, statuses: Mapping[str, tuple[bool, str]]) -> list[tuple]:
    rows = []
    for server in servers.servers.values():
        # Never the arguments or a query: either may carry a resolved ${SECRET}.
        target = (server.url or "").split("?")[0] or f"{server.command} (+{len(server.args)} args)"
        status = statuses.get(server.name, (True, "not checked"))[1]
        rows.append((server.name, server.transport, target[:60], status))
    return rows


def storage_line(storage: StorageSettings) -> str | None:
    """Where each kind of file is kept, when it is not all local."""
    kept = {kind: storage.strategy_for(kind) for kind in KINDS}
    if set(kept.values()) == {"local"}:
        return None
    where = {"local": "local", "s3": "s3", "azure_blob": "azure_blob"}
    if s3 := storage.s3:
        at = f", {s3.endpoint_url}" if s3.endpoint_url else ""
        where["s3"] = f"s3 (bucket {s3.bucket}, {s3.region}{at})"
    if storage.azure:
        where["azure_blob"] = f"azure_blob (container {storage.azure.container})"
    return "Files: " + ", ".join(f"{kind} on {where[name]}" for kind, name in kept.items())


def render(
    location: str,
    config: Config | None,
    problems: Sequence[Problem],
    breaker: Breaker | None = None,
    servers: McpConfig | None = None,
    statuses: Mapping[str, tuple[bool, str]] | None = None,
) -> str:
    out = [f"Configuration: {location}"]
    if config is not None:
        if config.proxy:
            out.append(f"Outbound proxy: {config.proxy}")
        endpoints = [row(e) for e in config.endpoints.values()]
        out.append(table([COLUMNS, *endpoints]) if endpoints else "No endpoints configured.")
        out.extend(channels_of(config, breaker))
        if files := storage_line(config.storage):
            out.append(files)
    if servers is not None and servers.servers:
        out.append(table([MCP_COLUMNS, *mcp_rows(servers, statuses or {})]))
    out.extend(str(problem) for problem in problems)
    counts = {level: sum(p.level == level for p in problems) for level in ("error", "warning")}
    out.append(f"{counts['error']} error(s), {counts['warning']} warning(s)")
    return "\n".join(out)
