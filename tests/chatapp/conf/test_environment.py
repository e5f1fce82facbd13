import ipaddress
import json
import stat

import pytest
from django.core.exceptions import ImproperlyConfigured

from chatapp.conf import environment as parse
from chatapp.conf.environment import EnvError


@pytest.mark.parametrize(
    ("raw", "expected"), [(None, 3080), ("", 3080), ("8080", 8080), (" 1 ", 1), ("65535", 65535)]
)
def test_port_accepts_numbers_in_range(raw, expected):
    env = {} if raw is None else {"PORT": raw}
    assert parse.port(env) == expected


@pytest.mark.parametrize("raw", ["abc", "0", "65536", "-1", "80.5"])
def test_port_rejects_garbage_naming_the_variable(raw):
    with pytest.raises(EnvError) as error:
        parse.port({"PORT": raw})
    assert str(error.value).startswith(f"PORT={raw!r} is invalid: expected 1-65535")


@pytest.mark.parametrize(("raw", "expected"), [("true", True), ("FALSE", False), ("1", True)])
def test_boolean(raw, expected):
    assert parse.boolean({"X": raw}, "X") is expected


def test_boolean_empty_keeps_default_and_garbage_is_an_error():
    assert parse.boolean({"X": ""}, "X", default=True) is True
    with pytest.raises(EnvError, match="X='maybe' is invalid: expected true or false"):
        parse.boolean({"X": "maybe"}, "X")


def test_trust_proxy_integer_bounds():
    assert parse.integer({"TRUST_PROXY": "2"}, "TRUST_PROXY", 1, maximum=32) == 2
    with pytest.raises(EnvError, match="TRUST_PROXY"):
        parse.integer({"TRUST_PROXY": "lots"}, "TRUST_PROXY", 1, maximum=32)


def test_trusted_proxies_are_addresses_and_ranges():
    default = parse.networks({}, "TRUSTED_PROXIES", parse.PRIVATE_NETWORKS)
    assert ipaddress.ip_address("172.18.0.5") in default[3]  # the compose network
    given = parse.networks({"TRUSTED_PROXIES": "192.0.2.7, 2001:db8::/32,"}, "TRUSTED_PROXIES", "")
    assert [str(n) for n in given] == ["192.0.2.7/32", "2001:db8::/32"]
    with pytest.raises(EnvError, match="TRUSTED_PROXIES='10.0.0.0/33' is invalid: expected"):
        parse.networks({"TRUSTED_PROXIES": "10.0.0.0/33"}, "TRUSTED_PROXIES", "")


def test_hex_keys_check_length_and_alphabet():
    assert parse.hex_key({"CREDS_KEY": "AB" * 32}, "CREDS_KEY", 64) == "ab" * 32
    assert parse.hex_key({}, "CREDS_KEY", 64) is None
    with pytest.raises(EnvError, match=r"CREDS_KEY=.* expected 64 hexadecimal characters"):
        parse.hex_key({"CREDS_KEY": "ab" * 31}, "CREDS_KEY", 64)
    with pytest.raises(EnvError, match=r"CREDS_IV=.* expected 32 hexadecimal"):
        parse.hex_key({"CREDS_IV": "zz" * 16}, "CREDS_IV", 32)


def test_secrets_are_generated_once_and_kept(tmp_path):
    first = parse.secret_keys({}, tmp_path, shared=False)
    second = parse.secret_keys({}, tmp_path, shared=False)
    assert first == second
    assert len(first["CREDS_KEY"]) == 64 and len(first["CREDS_IV"]) == 32
    store = tmp_path / "secrets.json"
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    assert json.loads(store.read_text())["SECRET_KEY"] == first["SECRET_KEY"]


def test_secrets_from_environment_win(tmp_path):
    env = {"SECRET_KEY": "s3cret", "CREDS_KEY": "1" * 64, "CREDS_IV": "2" * 32}
    assert parse.secret_keys(env, tmp_path, shared=False) == env
    assert parse.secret_keys(env, tmp_path, shared=True) == env
    assert not (tmp_path / "secrets.json").exists()


def test_shared_services_refuse_secrets_of_their_own(tmp_path):
    """With DATABASE_URL or REDIS_URI every host must bring the same secrets: one that
    made up its own would break the sessions and the saved keys of the others."""
    env = {"SECRET_KEY": "s3cret"}
    with pytest.raises(ImproperlyConfigured) as refused:
        parse.secret_keys(env, tmp_path, shared=True)
    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith("CREDS_KEY and CREDS_IV must be set")
    assert "python manage.py generate_secrets" in message
    assert not (tmp_path / "secrets.json").exists()


def test_the_generated_block_is_a_valid_env_file(tmp_path):
    block = parse.secrets_block()
    assert block.startswith("# ") and block.endswith("\n")
    env = dict(line.split("=", 1) for line in block.splitlines() if not line.startswith("#"))
    assert set(env) == {"SECRET_KEY", "CREDS_KEY", "CREDS_IV"}
    assert parse.secret_keys(env, tmp_path, shared=True) == env
    assert parse.secrets_block() != block


def test_default_database_is_sqlite_in_data_with_persistent_connections(tmp_path):
    config = parse.database({}, tmp_path / "parley.sqlite3")
    path = str(tmp_path / "parley.sqlite3")
    assert config == {"ENGINE": "django.db.backends.sqlite3", "NAME": path, "CONN_MAX_AGE": 60}
    own = parse.database(
        {"DATABASE_URL": "sqlite:////srv/p.db", "DATABASE_CONN_MAX_AGE": "0"}, tmp_path
    )
    assert (own["NAME"], own["CONN_MAX_AGE"]) == ("/srv/p.db", 0)


def test_postgres_database_url_gets_a_pool_of_eight_connections(tmp_path):
    config = parse.database({"DATABASE_URL": "postgres://bob:pw@db:5433/parley"}, tmp_path / "x")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"], config["USER"]) == (
        "db",
        5433,
        "parley",
        "bob",
    )
    assert config["OPTIONS"]["pool"] == {"min_size": 2, "max_size": 8, "timeout": 30}
    assert config["CONN_MAX_AGE"] == 0 and config["CONN_HEALTH_CHECKS"] is False


def test_database_pool_size_sets_the_pools_size(tmp_path):
    env = {"DATABASE_URL": "postgres://bob@db/parley", "DATABASE_POOL_SIZE": "12"}
    config = parse.database(env, tmp_path / "x")
    assert config["OPTIONS"]["pool"] == {"min_size": 2, "max_size": 12, "timeout": 30}


def test_pool_size_zero_gives_persistent_healthy_connections(tmp_path):
    env = {"DATABASE_URL": "postgres://bob@db/parley", "DATABASE_POOL_SIZE": "0"}
    config = parse.database(env, tmp_path / "x")
    assert "pool" not in config.get("OPTIONS", {})
    assert config["CONN_MAX_AGE"] == 60 and config["CONN_HEALTH_CHECKS"] is True


def test_a_broken_pool_size_names_the_variable(tmp_path):
    env = {"DATABASE_URL": "postgres://bob@db/parley", "DATABASE_POOL_SIZE": "many"}
    with pytest.raises(EnvError, match="DATABASE_POOL_SIZE"):
        parse.database(env, tmp_path / "x")


@pytest.mark.parametrize("raw", ["mysql://db/x", "mongodb://127.0.0.1:27017/LibreChat", "nonsense"])
def test_unknown_database_scheme_is_refused(raw, tmp_path):
    with pytest.raises(EnvError, match="DATABASE_URL=.* expected a postgres:// or sqlite:/// URL"):
        parse.database({"DATABASE_URL": raw}, tmp_path / "x")


def test_redis_modes():
    assert parse.redis_uri({}) is None
    assert parse.redis_uri({"REDIS_URI": "redis://r:6379/1"}) == "redis://r:6379/1"
    assert parse.redis_uri({"REDIS_URI": "redis://r:6379", "USE_REDIS": "false"}) is None
    assert parse.redis_uri({"REDIS_URI": "redis://a:1,redis://b:2"}) == "redis://a:1"


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"USE_REDIS": "true"}, "USE_REDIS"),
        ({"REDIS_URI": "http://r:6379"}, "REDIS_URI"),
        ({"REDIS_URI": "redis://r", "USE_REDIS_CLUSTER": "true"}, "USE_REDIS_CLUSTER"),
    ],
)
def test_redis_misconfiguration(env, variable):
    with pytest.raises(EnvError) as error:
        parse.redis_uri(env)
    assert error.value.name == variable


def test_redis_ca_must_exist(tmp_path):
    ca = tmp_path / "ca.pem"
    ca.write_text("---")
    assert parse.redis_ca({"REDIS_CA": str(ca)}) == str(ca)
    with pytest.raises(EnvError, match="REDIS_CA"):
        parse.redis_ca({"REDIS_CA": str(tmp_path / "missing.pem")})


def test_domain_urls_and_hosts():
    assert parse.url({"DOMAIN_CLIENT": "https://chat.example.com/"}, "DOMAIN_CLIENT") == (
        "https://chat.example.com"
    )
    with pytest.raises(EnvError, match="DOMAIN_CLIENT"):
        parse.url({"DOMAIN_CLIENT": "chat.example.com"}, "DOMAIN_CLIENT")
    hosts = parse.allowed_hosts("0.0.0.0", "https://chat.example.com", "http://api.example.com:80")
    assert {"chat.example.com", "api.example.com", "localhost"} <= set(hosts)
    assert "0.0.0.0" not in hosts


def test_log_level():
    assert parse.log_level({}) == "INFO"
    assert parse.log_level({"LOG_LEVEL": "warn"}) == "WARNING"
    with pytest.raises(EnvError, match="LOG_LEVEL"):
        parse.log_level({"LOG_LEVEL": "loud"})


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, 7200000),
        ("60000", 60000),
        ("1000*60*60*2", 7200000),
        (" 1000 * 60 * 15 ", 900000),
        ("(1000+500)*2", 3000),
        ("0", 0),
        ("-1", -1),
    ],
)
def test_milliseconds_accepts_librechat_arithmetic(raw, expected):
    env = {} if raw is None else {"BAN_DURATION": raw}
    assert parse.milliseconds(env, "BAN_DURATION", 7200000) == expected


@pytest.mark.parametrize("raw", ["2h", "1000**9", "__import__('os')", "1.5*1000", "1000/2", "()"])
def test_milliseconds_refuses_anything_but_whole_arithmetic(raw):
    with pytest.raises(EnvError, match="BAN_DURATION=.* is invalid: expected milliseconds"):
        parse.milliseconds({"BAN_DURATION": raw}, "BAN_DURATION", 1)


def test_number_allows_fractions_and_names_bad_values():
    assert parse.number({"W": "0.5"}, "W", 1) == 0.5
    assert parse.number({}, "W", 1) == 1
    for raw in ("soon", "-1", "nan", "inf"):
        with pytest.raises(EnvError, match="W="):
            parse.number({"W": raw}, "W", 1)


def test_script_name_is_the_path_of_the_domains():
    assert parse.script_name("https://example.com", "https://example.com") == ""
    assert parse.script_name("https://example.com/chat", "https://example.com/chat") == "/chat"
    assert parse.script_name("https://example.com/a/chat", "https://api.example.com/a/chat") == (
        "/a/chat"
    )


@pytest.mark.parametrize(
    ("client", "server", "variable"),
    [
        ("https://example.com/chat", "https://example.com", "DOMAIN_SERVER"),
        ("https://example.com/chat", "https://example.com/api", "DOMAIN_SERVER"),
        ("https://example.com/chat?x=1", "https://example.com/chat?x=1", "DOMAIN_CLIENT"),
        ("https://example.com/ch at", "https://example.com/ch at", "DOMAIN_CLIENT"),
        ("https://example.com/a//b", "https://example.com/a//b", "DOMAIN_CLIENT"),
    ],
)
def test_script_name_refuses_two_paths_or_an_odd_one(client, server, variable):
    with pytest.raises(EnvError, match=variable):
        parse.script_name(client, server)


def test_cors_origins_from_web_api_cors_allow_origins():
    from chatapp.conf.environment import EnvError, cors_origins

    assert cors_origins({}, "CORS") == ([], False)
    assert cors_origins({"CORS": "*"}, "CORS") == ([], True)
    listed = {"CORS": "https://a.example.com/, http://localhost:5173"}
    origins = ["https://a.example.com", "http://localhost:5173"]
    assert cors_origins(listed, "CORS") == (origins, False)
    with pytest.raises(EnvError, match="CORS"):
        cors_origins({"CORS": "a.example.com"}, "CORS")
