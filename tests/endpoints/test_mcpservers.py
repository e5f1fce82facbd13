"""mcpServers and mcpSettings: validated, resolved, filled per user (endpoints/mcpservers.py)."""

from __future__ import annotations

import pytest

from endpoints import addresses, mcpservers
from endpoints.adapters.base import RequestContext
from endpoints.mcpservers import UserValues


def servers(load_yaml, data: dict, env: dict | None = None) -> mcpservers.McpConfig:
    return mcpservers.from_config(load_yaml(data, env), env or {})


def test_the_type_is_inferred_as_librechat_infers_it(load_yaml) -> None:
    found = servers(
        load_yaml,
        {
            "mcpServers": {
                "local": {"command": "npx", "args": ["-y", "server"]},
                "remote": {"url": "https://mcp.example/sse"},
                "socket": {"url": "wss://mcp.example/ws"},
                "stream": {"type": "streamable-http", "url": "https://mcp.example/mcp"},
                "alias": {"type": "http", "url": "https://mcp.example/mcp"},
            }
        },
    ).servers
    assert {name: s.transport for name, s in found.items()} == {
        "local": "stdio",
        "remote": "sse",
        "socket": "websocket",
        "stream": "streamable-http",
        "alias": "streamable-http",
    }
    assert found["socket"].unavailable == "Parley does not connect to websocket MCP servers yet"
    assert found["local"].timeout == 60 and found["local"].init_timeout == 30


def test_mcp_sections_no_longer_warn_but_websocket_and_oauth_do(warnings_of) -> None:
    assert warnings_of({"mcpServers": {"x": {"command": "npx"}}, "mcpSettings": {}}) == []
    assert warnings_of(
        {
            "mcpServers": {
                "ws": {"url": "ws://mcp.example"},
                "o": {"url": "https://mcp.example", "oauth": {"client_id": "c"}},
            }
        }
    ) == [
        "mcpServers.ws.type: type websocket: accepted but Parley does not connect to it yet",
        "mcpServers.o.oauth: accepted but ignored: Parley does not implement MCP servers over"
        " OAuth yet",
    ]


def test_bad_servers_are_errors_naming_the_key(yaml_errors) -> None:
    assert yaml_errors(
        {
            "mcpServers": {
                "empty": {"title": "nothing to reach"},
                "web": {"type": "sse"},
                "key": {"command": "x", "apiKey": {"source": "admin"}},
                "custom": {
                    "command": "x",
                    "apiKey": {"source": "user", "authorization_type": "custom"},
                },
                "slow": {"command": "x", "timeout": "60000"},
            },
        }
    ) == [
        "mcpServers.empty: needs a command (stdio) or a url (sse, streamable-http)",
        "mcpServers.web: type sse needs a url",
        "mcpServers.key.apiKey: source admin needs the key (key: ${VARIABLE})",
        "mcpServers.custom.apiKey: authorization_type custom needs custom_header",
        "mcpServers.slow.timeout: '60000' must be a valid integer",
    ]


def test_a_bad_name_and_a_bad_allowed_address_are_errors(yaml_errors) -> None:
    assert yaml_errors(
        {
            "mcpServers": {"bad name": {"command": "x"}},
            "mcpSettings": {"allowedAddresses": ["http://10.0.0.1:80"]},
        }
    ) == [
        "mcpServers.bad name: a server name may hold only letters, digits, _ and - "
        "(tool names carry it)",
        "mcpSettings.allowedAddresses[0]: 'http://10.0.0.1:80' must be host:port, "
        "private.ip:port or [ipv6]:port (no scheme, path or CIDR range)",
    ]


def test_env_is_resolved_at_load_and_user_placeholders_wait(load_yaml) -> None:
    server = servers(
        load_yaml,
        {
            "mcpServers": {
                "s": {
                    "url": "https://mcp.example/${PATH_PART}",
                    "headers": {"X-Team": "${TEAM}", "X-User": "{{LIBRECHAT_USER_EMAIL}}"},
                    "timeout": 5000,
                    "initTimeout": 2500,
                    "serverInstructions": "Use it wisely.",
                }
            }
        },
        {"PATH_PART": "mcp", "TEAM": "blue"},
    ).servers["s"]
    assert server.url == "https://mcp.example/mcp"
    assert dict(server.headers) == {"X-Team": "blue", "X-User": "{{LIBRECHAT_USER_EMAIL}}"}
    assert (server.timeout, server.init_timeout) == (5.0, 2.5)
    assert server.instructions == "Use it wisely."
    assert server.per_user and server.unavailable is None


def test_an_unset_variable_makes_the_server_unavailable(load_yaml) -> None:
    server = servers(load_yaml, {"mcpServers": {"s": {"command": "x", "env": {"K": "${NOPE}"}}}})
    assert server.servers["s"].unavailable == "NOPE not set (env.K)"


def test_user_values_fill_vars_fields_and_the_key_header(load_yaml) -> None:
    config = servers(
        load_yaml,
        {
            "mcpServers": {
                "s": {
                    "type": "streamable-http",
                    "url": "https://mcp.example/{{WORKSPACE}}",
                    "headers": {
                        "X-Who": "{{LIBRECHAT_USER_ID}}",
                        "X-Conv": "{{LIBRECHAT_BODY_CONVERSATIONID}}",
                    },
                    "customUserVars": {"WORKSPACE": {"title": "Workspace"}},
                    "apiKey": {
                        "source": "user",
                        "authorization_type": "custom",
                        "custom_header": "X-Key",
                    },
                },
                "plain": {"command": "x", "args": ["--token", "{{TOKEN}}"]},
            }
        },
    )
    server = config.servers["s"]
    assert server.per_user and not config.servers["plain"].per_user
    assert UserValues().missing(server) == ["Workspace", "API key"]
    given = UserValues({"WORKSPACE": "acme"}, "k-123")
    assert given.missing(server) == []
    filled = mcpservers.for_user(server, RequestContext(user_id="7", conversation_id="c1"), given)
    assert filled.url == "https://mcp.example/acme"
    assert dict(filled.headers) == {"X-Who": "7", "X-Conv": "c1", "X-Key": "k-123"}
    assert mcpservers.for_user(config.servers["plain"], RequestContext(), given).args == (
        "--token",
        "{{TOKEN}}",
    )


@pytest.mark.parametrize(
    ("kind", "header"),
    [("bearer", "Bearer s3"), ("basic", "Basic s3")],
)
def test_an_admin_key_goes_in_the_authorization_header(load_yaml, kind, header) -> None:
    api_key = {"source": "admin", "authorization_type": kind, "key": "${MCP_KEY}"}
    config = servers(
        load_yaml,
        {"mcpServers": {"s": {"url": "https://mcp.example", "apiKey": api_key}}},
        {"MCP_KEY": "s3"},
    )
    server = config.servers["s"]
    assert not server.per_user
    filled = mcpservers.for_user(server, RequestContext(), UserValues())
    assert filled.headers["Authorization"] == header


def test_allowed_domains_is_a_strict_list(load_yaml) -> None:
    config = servers(
        load_yaml,
        {
            "mcpServers": {
                "in": {"url": "https://a.tools.example/mcp"},
                "exact": {"url": "https://mcp.example/mcp"},
                "out": {"url": "https://elsewhere.example/mcp"},
            },
            "mcpSettings": {"allowedDomains": ["*.tools.example", "mcp.example"]},
        },
    )
    status = {name: server.unavailable for name, server in config.servers.items()}
    assert status == {
        "in": None,
        "exact": None,
        "out": "elsewhere.example is not in mcpSettings.allowedDomains",
    }


async def test_private_addresses_are_refused_unless_listed(load_yaml) -> None:
    config = servers(
        load_yaml,
        {
            "mcpServers": {"s": {"url": "http://127.0.0.1:9/mcp"}},
            "mcpSettings": {"allowedAddresses": ["127.0.0.1:8"]},
        },
    )
    with pytest.raises(addresses.Refused, match="mcpSettings.allowedAddresses") as refused:
        await mcpservers.check_address("http://127.0.0.1:9/mcp", config.settings)
    assert "an MCP server" in str(refused.value)
    await mcpservers.check_address("http://127.0.0.1:8/mcp", config.settings)


def test_the_menu_lists_chat_menu_servers_in_file_order(load_yaml) -> None:
    config = servers(
        load_yaml,
        {
            "mcpServers": {
                "b": {"command": "x", "title": "Bee"},
                "hidden": {"command": "x", "chatMenu": False},
                "a": {"command": "x"},
            }
        },
    )
    assert [(s.name, s.label) for s in config.menu()] == [("b", "Bee"), ("a", "a")]
