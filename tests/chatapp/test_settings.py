"""The settings module under whole environments, each in a fresh interpreter."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json, django
django.setup()
from django.conf import settings as s
from django.db import connection
sqlite = {}
if s.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    with connection.cursor() as cursor:
        for pragma in ("journal_mode", "synchronous"):
            sqlite[pragma] = cursor.execute(f"PRAGMA {pragma}").fetchone()[0]
print(json.dumps({
    "sqlite": sqlite,
    "layer": s.CHANNEL_LAYERS["default"]["BACKEND"],
    "layer_config": s.CHANNEL_LAYERS["default"].get("CONFIG"),
    "cache": s.CACHES["default"]["BACKEND"],
    "cache_prefix": s.CACHES["default"].get("KEY_PREFIX"),
    "eager": s.CELERY_TASK_ALWAYS_EAGER,
    "broker": s.CELERY_BROKER_URL,
    "db": s.DATABASES["default"]["ENGINE"],
    "sessions": s.SESSION_ENGINE,
    "port": s.PORT,
    "hosts": s.ALLOWED_HOSTS,
    "static": s.STORAGES["staticfiles"]["BACKEND"],
    "root_handlers": s.LOGGING["root"]["handlers"],
    "console_formatter": s.LOGGING["handlers"]["console"]["formatter"],
    "console_level": s.LOGGING["handlers"]["console"]["level"],
}))
"""


SECRETS = {"SECRET_KEY": "s" * 50, "CREDS_KEY": "1" * 64, "CREDS_IV": "2" * 32}


def run_settings(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    clean.update(DJANGO_SETTINGS_MODULE="chatapp.settings", PARLEY_DATA_DIR=str(tmp_path), **env)
    return subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def settings_under(tmp_path: Path, **env: str) -> dict:
    result = run_settings(tmp_path, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.modes
def test_embedded_mode_without_redis(tmp_path):
    s = settings_under(tmp_path)
    assert s["layer"] == "channels.layers.InMemoryChannelLayer"
    assert s["cache"].endswith("LocMemCache")
    assert s["eager"] is True and s["broker"] == ""
    assert s["db"].endswith("sqlite3")
    assert s["sqlite"] == {"journal_mode": "wal", "synchronous": 1}  # 1: NORMAL
    assert s["port"] == 3080
    assert (tmp_path / "secrets.json").exists()


def test_production_mode_with_redis(tmp_path):
    s = settings_under(
        tmp_path,
        **SECRETS,
        REDIS_URI="redis://cache.internal:6380/2",
        REDIS_KEY_PREFIX="acme",
        DATABASE_URL="postgres://u@db/parley",
    )
    assert s["layer"] == "channels_redis.pubsub.RedisPubSubChannelLayer"
    (host,) = s["layer_config"]["hosts"]
    assert host["address"] == "redis://cache.internal:6380/2"
    assert s["layer_config"]["prefix"] == "acme:asgi"
    assert s["cache"] == "django_redis.cache.RedisCache" and s["cache_prefix"] == "acme"
    assert s["eager"] is False and s["broker"] == "redis://cache.internal:6380/2"
    assert s["db"] == "django.db.backends.postgresql"
    assert s["sessions"] == "django.contrib.sessions.backends.cached_db"


def test_celery_broker_url_overrides_redis(tmp_path):
    env = {"REDIS_URI": "redis://r:6379/0", "CELERY_BROKER_URL": "redis://b/3", **SECRETS}
    s = settings_under(tmp_path, **env)
    assert s["broker"] == "redis://b/3"


def test_logging_switches(tmp_path):
    s = settings_under(tmp_path, CONSOLE_JSON="true", DEBUG_CONSOLE="true", DEBUG_LOGGING="false")
    assert s["console_formatter"] == "json" and s["console_level"] == "DEBUG"
    assert s["root_handlers"] == ["console"]
    s = settings_under(tmp_path, DEBUG_LOGGING="true")
    assert "debug_file" in s["root_handlers"]
    assert (tmp_path / "logs").is_dir()


def test_compression_switch_and_domains(tmp_path):
    s = settings_under(tmp_path, DISABLE_COMPRESSION="true", DOMAIN_CLIENT="https://chat.acme.io")
    assert s["static"] == "whitenoise.storage.ManifestStaticFilesStorage"
    assert "chat.acme.io" in s["hosts"]
    assert settings_under(tmp_path)["static"].endswith("CompressedManifestStaticFilesStorage")


SUBPATH_PROBE = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({
    "script_name": s.FORCE_SCRIPT_NAME,
    "static_url": s.STATIC_URL,
    "cookie_paths": [s.SESSION_COOKIE_PATH, s.CSRF_COOKIE_PATH, s.LANGUAGE_COOKIE_PATH],
    "origins": s.CSRF_TRUSTED_ORIGINS,
    "hosts": s.ALLOWED_HOSTS,
}))
"""


def test_a_path_in_domain_client_serves_parley_under_it(tmp_path):
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    env = {**clean, "PARLEY_DATA_DIR": str(tmp_path), "DOMAIN_CLIENT": "https://example.com/chat/"}
    result = subprocess.run(
        [sys.executable, "-c", SUBPATH_PROBE],
        cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "chatapp.settings"},
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    s = json.loads(result.stdout)
    assert s["script_name"] == "/chat"
    assert s["static_url"] == "/chat/static/"
    assert s["cookie_paths"] == ["/chat", "/chat", "/chat"]  # not sent to /chatter or /
    assert s["origins"] == ["https://example.com"]  # an Origin has no path
    assert "example.com" in s["hosts"]
    root = settings_under(tmp_path, DOMAIN_CLIENT="https://example.com")
    assert "example.com" in root["hosts"]


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("PORT", "abc", "PORT='abc' is invalid: expected 1-65535"),
        ("DATABASE_URL", "mysql://x/y", "DATABASE_URL='mysql://x/y' is invalid"),
        ("CREDS_KEY", "abc", "CREDS_KEY='abc' is invalid: expected 64 hexadecimal"),
        ("CREDS_IV", "abc", "CREDS_IV='abc' is invalid: expected 32 hexadecimal"),
        ("TRUSTED_PROXIES", "nginx", "TRUSTED_PROXIES='nginx' is invalid: expected addresses"),
        ("DOMAIN_SERVER", "http://localhost:3080/api", "DOMAIN_SERVER='http://localhost:3080/api'"),
        # sentry-sdk is an optional extra that the test environment leaves out
        ("SENTRY_DSN", "https://k@sentry.example/1", "expected sentry-sdk installed too"),
    ],
)
def test_malformed_variable_stops_manage_py_with_one_line(tmp_path, variable, value, expected):
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    env = {**clean, "PARLEY_DATA_DIR": str(tmp_path), variable: value}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("parley: ") and expected in lines[0]


def manage_py(tmp_path: Path, *argv: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    return subprocess.run(
        [sys.executable, "manage.py", *argv],
        cwd=ROOT,
        env={**clean, "PARLEY_DATA_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
    )


@pytest.mark.parametrize("service", ["DATABASE_URL", "REDIS_URI"])
def test_production_mode_refuses_to_start_without_the_shared_secrets(tmp_path, service):
    url = {"DATABASE_URL": "postgres://u@db/parley", "REDIS_URI": "redis://r:6379/0"}[service]
    result = manage_py(tmp_path, "check", **{service: url})
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("parley: SECRET_KEY, CREDS_KEY and CREDS_IV must be set")
    assert "python manage.py generate_secrets" in line
    assert not (tmp_path / "secrets.json").exists()


def test_generate_secrets_prints_a_block_that_every_host_can_share(tmp_path):
    production = {"DATABASE_URL": "postgres://u@db/parley", "REDIS_URI": "redis://r:6379/0"}
    printed = manage_py(tmp_path, "generate_secrets", **production)
    assert printed.returncode == 0, printed.stderr
    block = dict(
        line.split("=", 1) for line in printed.stdout.splitlines() if not line.startswith("#")
    )
    assert set(block) == {"SECRET_KEY", "CREDS_KEY", "CREDS_IV"}
    probe = "from django.conf import settings as s; print(s.SECRET_KEY, s.CREDS_KEY, s.CREDS_IV)"
    for host in ("one", "two"):
        result = manage_py(tmp_path / host, "shell", "-c", probe, **production, **block)
        seen = result.stdout.splitlines()[-1].split()
        assert seen == [block["SECRET_KEY"], block["CREDS_KEY"], block["CREDS_IV"]], result.stderr


@pytest.mark.modes
def test_the_embedded_default_generates_its_secrets(tmp_path):
    assert manage_py(tmp_path, "check").returncode == 0
    assert set(json.loads((tmp_path / "secrets.json").read_text())) == set(SECRETS)


def variables_read_by_settings() -> set[str]:
    source = (ROOT / "chatapp" / "settings.py").read_text()
    source += (ROOT / "chatapp" / "conf" / "environment.py").read_text()
    return set(re.findall(r"\b(?:ENV|env), \"([A-Z][A-Z0-9_]+)\"", source)) | set(
        re.findall(r"env\.get\(\"([A-Z][A-Z0-9_]+)\"", source)
    )


def test_env_example_documents_every_variable_settings_reads():
    text = (ROOT / ".env.example").read_text()
    implemented = text.split("LibreChat variables not implemented yet")[0]
    documented = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", implemented, re.M))
    read = variables_read_by_settings()
    assert {"PORT", "REDIS_URI", "CREDS_KEY", "INDEX_HTML_PRAGMA"} <= read
    assert read - documented == set()
    for line_number, line in enumerate(implemented.splitlines()):
        if re.match(r"^#? ?[A-Z][A-Z0-9_]+=", line):
            previous = implemented.splitlines()[line_number - 1]
            assert previous.startswith("#"), f"{line} needs a one-line comment above it"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("STATIC_CACHE_MAX_AGE", "two days"),
        ("STATIC_CACHE_S_MAX_AGE", "-5"),
        ("CONSOLE_JSON_STRING_LENGTH", "3"),
        ("DOMAIN_SERVER", "localhost:3080"),
        ("NO_INDEX", "perhaps"),
        ("LOG_LEVEL", "chatty"),
    ],
)
def test_more_malformed_variables_are_named(tmp_path, variable, value):
    result = run_settings(tmp_path, **{variable: value})
    assert result.returncode != 0
    assert f"{variable}={value!r} is invalid" in result.stderr


def test_branding_and_config_path_are_read(tmp_path):
    probe = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.APP_TITLE, s.HELP_AND_FAQ_URL, s.CONFIG_PATH, s.TRUST_PROXY, sep='|')"
    )
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    env = {
        **clean,
        "DJANGO_SETTINGS_MODULE": "chatapp.settings",
        "PARLEY_DATA_DIR": str(tmp_path),
        "APP_TITLE": "Acme",
        "HELP_AND_FAQ_URL": "https://help.acme.io",
        "CONFIG_PATH": "https://cfg.acme.io/librechat.yaml",
        "TRUST_PROXY": "0",
    }
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.stdout.strip() == (
        "Acme|https://help.acme.io|https://cfg.acme.io/librechat.yaml|0"
    )
