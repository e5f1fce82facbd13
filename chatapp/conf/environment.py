"""Parsing of Parley's environment variables into typed settings values.

`settings.py` is the only module that reads the environment; it hands the raw
strings to these functions, which either return a clean value or raise
`EnvError` naming the variable and what it expects. Keeping them pure lets the
tests feed good and bad values without touching `os.environ`.
"""

from __future__ import annotations

import ast
import ipaddress
import json
import math
import operator
import os
import re
import secrets
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}
DATABASE_SCHEMES = {"sqlite", "postgres", "postgresql", "pgsql", "psql"}
REDIS_SCHEMES = {"redis", "rediss", "unix"}
# PostgreSQL connections a process may hold (psycopg's pool). Django serves each HTTP request
# on a thread of its own: without a pool, a burst of page loads opens a connection a request
# and runs past PostgreSQL's max_connections (docs/deployment.md).
DATABASE_POOL_SIZE = 8
# Loopback and the private ranges: a proxy on this host or on the compose network.
PRIVATE_NETWORKS = "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7"


class EnvError(ImproperlyConfigured):
    """A malformed environment variable: the message is one line for the operator."""

    def __init__(self, name: str, value: str, expected: str) -> None:
        shown = value if len(value) <= 60 else value[:57] + "..."
        super().__init__(f"{name}={shown!r} is invalid: expected {expected}")
        self.name = name


def text(env: Mapping[str, str], name: str, default: str = "") -> str:
    value = env.get(name)
    return default if value is None or value.strip() == "" else value.strip()


def boolean(env: Mapping[str, str], name: str, default: bool = False) -> bool:
    raw = env.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False if word else default
    raise EnvError(name, raw, "true or false")


def integer(
    env: Mapping[str, str], name: str, default: int, minimum: int = 0, maximum: int | None = None
) -> int:
    raw = text(env, name)
    if not raw:
        return default
    bounds = f"a whole number >= {minimum}" if maximum is None else f"{minimum}-{maximum}"
    try:
        value = int(raw)
    except ValueError:
        raise EnvError(name, raw, bounds) from None
    if value < minimum or (maximum is not None and value > maximum):
        raise EnvError(name, raw, bounds)
    return value


def choice(env: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    """One of `choices` (the first is the default), case-insensitive."""
    raw = text(env, name).lower() or choices[0]
    if raw not in choices:
        raise EnvError(name, raw, "one of " + ", ".join(choices))
    return raw


def port(env: Mapping[str, str], name: str = "PORT", default: int = 3080) -> int:
    return integer(env, name, default, minimum=1, maximum=65535)


def hex_key(env: Mapping[str, str], name: str, length: int) -> str | None:
    """A hex string of exactly `length` characters, or None when unset."""
    raw = text(env, name)
    if not raw:
        return None
    if len(raw) != length or not re.fullmatch(r"[0-9a-fA-F]+", raw):
        raise EnvError(name, raw, f"{length} hexadecimal characters ({length // 2} bytes)")
    return raw.lower()


def networks(
    env: Mapping[str, str], name: str, default: str
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """Addresses and CIDR ranges, separated by commas or spaces (e.g. 10.0.0.0/8,::1)."""
    raw = text(env, name, default)
    try:
        parts = [part for part in re.split(r"[,\s]+", raw) if part]
        return tuple(ipaddress.ip_network(part, strict=False) for part in parts)
    except ValueError:
        raise EnvError(name, raw, "addresses or CIDR ranges, e.g. 10.0.0.0/8,::1") from None


def url(env: Mapping[str, str], name: str, default: str = "", schemes=("http", "https")) -> str:
    raw = text(env, name, default)
    if not raw:
        return ""
    parts = urlsplit(raw)
    if parts.scheme not in schemes or not parts.netloc:
        raise EnvError(name, raw, f"a {' or '.join(schemes)} URL")
    return raw.rstrip("/")


def database(env: Mapping[str, str], default_sqlite: Path) -> dict:
    """DATABASE_URL → a Django DATABASES['default'] entry."""
    import environ

    raw = text(env, "DATABASE_URL")
    if not raw:
        return _sqlite(env, str(default_sqlite))
    scheme = urlsplit(raw).scheme
    if scheme not in DATABASE_SCHEMES:
        expected = "a postgres:// or sqlite:/// URL"
        raise EnvError("DATABASE_URL", raw, expected)
    try:
        config = environ.Env.db_url_config(raw)
    except Exception:  # django-environ raises several kinds for a broken URL
        raise EnvError("DATABASE_URL", raw, "a postgres:// or sqlite:/// URL") from None
    if config["ENGINE"].endswith("sqlite3"):
        return _sqlite(env, config["NAME"] or str(default_sqlite))
    if not config.get("NAME"):
        raise EnvError("DATABASE_URL", raw, "a database name after the host, e.g. /parley")
    config["ENGINE"] = "django.db.backends.postgresql"
    pool = integer(env, "DATABASE_POOL_SIZE", DATABASE_POOL_SIZE, maximum=1000)
    if pool:
        # psycopg's pool hands out live connections, so no health check (a round
        # trip) before each unit of work and no persistent ones (Django refuses both).
        options = {"min_size": min(2, pool), "max_size": pool, "timeout": 30}
        config.setdefault("OPTIONS", {})["pool"] = options
        config.update(CONN_MAX_AGE=0, CONN_HEALTH_CHECKS=False)
    else:
        config.update(
            CONN_MAX_AGE=integer(env, "DATABASE_CONN_MAX_AGE", 60), CONN_HEALTH_CHECKS=True
        )
    return config


def _sqlite(env: Mapping[str, str], name: str) -> dict:
    """SQLite with persistent connections (DATABASE_CONN_MAX_AGE, 60 s): opening one runs
    the WAL and sync pragmas, and closing the last one checkpoints the WAL with an fsync,
    which every database unit paid when its connection was closed at its end (about 1 ms
    a unit, bench/README.md, session 12)."""
    max_age = integer(env, "DATABASE_CONN_MAX_AGE", 60)
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": name, "CONN_MAX_AGE": max_age}


def redis_uri(env: Mapping[str, str]) -> str | None:
    """The Redis URI when Redis is in use (production mode), else None (embedded)."""
    raw = text(env, "REDIS_URI")
    use = boolean(env, "USE_REDIS", default=bool(raw))
    if not use:
        return None
    if not raw:
        raise EnvError("USE_REDIS", env.get("USE_REDIS", ""), "REDIS_URI to be set as well")
    first = raw.split(",")[0].strip()
    if urlsplit(first).scheme not in REDIS_SCHEMES:
        raise EnvError("REDIS_URI", raw, "a redis:// or rediss:// URL")
    if boolean(env, "USE_REDIS_CLUSTER"):
        # channels-redis cannot publish through Redis Cluster; refuse rather than half-work.
        raise EnvError(
            "USE_REDIS_CLUSTER", env["USE_REDIS_CLUSTER"], "false: Parley needs a single Redis node"
        )
    return first


def redis_ca(env: Mapping[str, str]) -> str | None:
    raw = text(env, "REDIS_CA")
    if raw and not Path(raw).is_file():
        raise EnvError("REDIS_CA", raw, "the path of a readable CA certificate file")
    return raw or None


def log_level(env: Mapping[str, str]) -> str:
    raw = text(env, "LOG_LEVEL", "info")
    level = raw.upper()
    if level not in ("DEBUG", "INFO", "WARNING", "WARN", "ERROR", "CRITICAL"):
        raise EnvError("LOG_LEVEL", raw, "one of debug, info, warning, error, critical")
    return "WARNING" if level == "WARN" else level


SECRET_MAKERS = {
    "SECRET_KEY": lambda: secrets.token_urlsafe(50),
    "CREDS_KEY": lambda: secrets.token_hex(32),
    "CREDS_IV": lambda: secrets.token_hex(16),
}
GENERATE_SECRETS = "python manage.py generate_secrets"


def new_secrets() -> dict[str, str]:
    return {name: make() for name, make in SECRET_MAKERS.items()}


def secrets_block() -> str:
    """A fresh set as `.env` lines, for every host of one deployment to share."""
    lines = [f"# Parley's secrets: the same on every host; keep them ({GENERATE_SECRETS})"]
    lines += [f"{name}={value}" for name, value in new_secrets().items()]
    return "\n".join(lines) + "\n"


def secret_keys(env: Mapping[str, str], data_dir: Path, *, shared: bool) -> dict[str, str]:
    """SECRET_KEY, CREDS_KEY and CREDS_IV: from the environment, else generated once.

    On the embedded default, generated values are kept in `data/secrets.json` (0600)
    so they survive restarts. With `shared` services (DATABASE_URL, REDIS_URI) every
    host must bring the same values: one that made up its own would silently break
    the others' sessions and saved keys, so a missing one stops start-up instead.
    """
    given = {
        "SECRET_KEY": text(env, "SECRET_KEY") or None,
        "CREDS_KEY": hex_key(env, "CREDS_KEY", 64),
        "CREDS_IV": hex_key(env, "CREDS_IV", 32),
    }
    missing = [name for name, value in given.items() if not value]
    if not missing:
        return given  # type: ignore[return-value]
    if shared:
        names = f"{', '.join(missing[:-1])} and {missing[-1]}" if missing[1:] else missing[0]
        raise ImproperlyConfigured(
            f"{names} must be set when DATABASE_URL or REDIS_URI is (every host needs the same"
            f" ones): `{GENERATE_SECRETS}` prints them for your .env"
        )
    return {**_stored_secrets(data_dir), **{k: v for k, v in given.items() if v}}


def _stored_secrets(data_dir: Path) -> dict[str, str]:
    store = data_dir / "secrets.json"
    saved = json.loads(store.read_text()) if store.exists() else {}
    missing = {name: make() for name, make in SECRET_MAKERS.items() if name not in saved}
    if missing:
        data_dir.mkdir(parents=True, exist_ok=True)
        saved.update(missing)
        # Created 0600, never readable by others even for a moment.
        with os.fdopen(os.open(store, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as out:
            out.write(json.dumps(saved, indent=2))
        os.chmod(store, 0o600)
    return saved


def allowed_hosts(host: str, *domains: str) -> list[str]:
    hosts = {"localhost", "127.0.0.1", "[::1]"}
    if host and host not in ("0.0.0.0", "::"):
        hosts.add(host)
    hosts.update(urlsplit(domain).hostname for domain in domains if domain)
    return sorted(h for h in hosts if h)


# A plain URL path: segments of unreserved characters, no empty segment, no query.
_PATH = re.compile(r"(/[A-Za-z0-9._~-]+)*")


def script_name(client: str, server: str) -> str:
    """The path Parley is served under: DOMAIN_CLIENT's (`/chat`), or "" at the root.

    One process serves the pages, the API and the sockets, so DOMAIN_SERVER (which
    LibreChat splits off for its API) must name the same path.
    """
    paths = {}
    for name, domain in (("DOMAIN_CLIENT", client), ("DOMAIN_SERVER", server)):
        parts = urlsplit(domain)
        path = parts.path.rstrip("/")
        if parts.query or parts.fragment or not _PATH.fullmatch(path):
            raise EnvError(name, domain, "a URL whose path is plain, e.g. https://example.com/chat")
        paths[name] = path
    if paths["DOMAIN_SERVER"] != paths["DOMAIN_CLIENT"]:
        expected = f"the path of DOMAIN_CLIENT ({paths['DOMAIN_CLIENT'] or '/'})"
        raise EnvError("DOMAIN_SERVER", server, expected)
    return paths["DOMAIN_CLIENT"]


def origin(domain: str) -> str:
    parts = urlsplit(domain)
    return f"{parts.scheme}://{parts.netloc}"


def cors_origins(env: Mapping[str, str], name: str) -> tuple[list[str], bool]:
    """django-cors-headers' allowed origins and allow-all switch from a comma-separated list
    of origins (`*`: any); empty allows no cross-origin access."""
    values = [value.strip().rstrip("/") for value in text(env, name).split(",") if value.strip()]
    if "*" in values:
        return [], True
    for value in values:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path:
            raise EnvError(name, value, "origins such as https://app.example.com, or *")
    return values, False


def number(env: Mapping[str, str], name: str, default: float, minimum: float = 0) -> float:
    """A decimal number >= `minimum` (e.g. a window of 0.5 minutes)."""
    raw = text(env, name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise EnvError(name, raw, f"a number >= {minimum:g}") from None
    if not math.isfinite(value) or value < minimum:
        raise EnvError(name, raw, f"a number >= {minimum:g}")
    return value


_ARITHMETIC = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul}


def _evaluate(node: ast.AST) -> int:
    """Whole numbers with +, - and * only: no power, so nothing can take long."""
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _evaluate(node.operand)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and type(node.op) in _ARITHMETIC:
        return _ARITHMETIC[type(node.op)](_evaluate(node.left), _evaluate(node.right))
    raise ValueError("not plain arithmetic")


def milliseconds(env: Mapping[str, str], name: str, default: int) -> int:
    """A duration in ms; LibreChat's arithmetic form (`1000*60*60*2`) is accepted."""
    raw = text(env, name)
    if not raw:
        return default
    try:
        return _evaluate(ast.parse(raw, mode="eval").body)
    except (SyntaxError, ValueError):
        raise EnvError(name, raw, "milliseconds, e.g. 7200000 or 1000*60*60*2") from None
