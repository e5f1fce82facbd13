"""Start-up refuses a broken environment with one line, and serves when it is sound."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from chatapp.conf.startup import StartupError, check_redis

ROOT = Path(__file__).resolve().parents[3]


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A bare environment; with the test run's secrets, which production mode needs."""
    keep = ("PATH", "HOME", "LANG", "SECRET_KEY", "CREDS_KEY", "CREDS_IV")
    env = {k: v for k, v in os.environ.items() if k in keep}
    # collectstatic without gzip/brotli: seconds, not minutes on a busy machine
    return {**env, "PARLEY_DATA_DIR": str(tmp_path), "DISABLE_COMPRESSION": "true", **extra}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_redis_is_a_startup_error():
    with pytest.raises(StartupError, match=r"REDIS_URI='redis://127.0.0.1:1/0' is unreachable"):
        check_redis("redis://127.0.0.1:1/0", timeout=1)


def test_serve_refuses_unreachable_redis_with_one_line(tmp_path):
    env = clean_env(tmp_path, REDIS_URI="redis://127.0.0.1:1/0")
    result = subprocess.run(
        [sys.executable, "manage.py", "serve"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("parley: REDIS_URI='redis://127.0.0.1:1/0' is unreachable")


def wait_for(url: str, process: subprocess.Popen, seconds: float = 75) -> bytes:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(process.stderr.read())
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read()
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer in {seconds}s")


def serve_and_probe(env: dict[str, str]) -> tuple[dict, bytes]:
    """migrate, collectstatic and `manage.py serve`; returns /health and the sign-in page."""
    for command in (["migrate", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True)
    server = subprocess.Popen(
        [sys.executable, "manage.py", "serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{env['PORT']}"
    try:
        return json.loads(wait_for(f"{base}/health", server)), wait_for(
            f"{base}/accounts/login/", server
        )
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.modes
def test_serve_on_the_embedded_default(tmp_path):
    env = clean_env(tmp_path, HOST="127.0.0.1", PORT=str(free_port()), DEBUG_LOGGING="false")
    health, login = serve_and_probe(env)
    assert health == {
        "status": "ok",
        "database": "ok (sqlite)",
        "cache": "ok (local-memory)",
        "channel_layer": "ok (in-memory)",
        "broker": "ok (in-process)",
        "search": "ok (sqlite)",
        "mcp": "ok (none configured)",
    }
    assert b'name="password"' in login


def test_serve_on_postgres_and_redis(tmp_path, scratch_postgres_url, redis_uri, redis_prefix):
    env = clean_env(
        tmp_path,
        HOST="127.0.0.1",
        PORT=str(free_port()),
        DEBUG_LOGGING="false",
        DATABASE_URL=scratch_postgres_url,
        REDIS_URI=redis_uri,
        REDIS_KEY_PREFIX=redis_prefix,
    )
    health, login = serve_and_probe(env)
    assert health == {
        "status": "ok",
        "database": "ok (postgresql)",
        "cache": "ok (redis)",
        "channel_layer": "ok (redis)",
        "broker": "ok (redis)",
        "search": "ok (postgresql)",
        "mcp": "ok (none configured)",
    }
    assert b'name="password"' in login


def test_serve_refuses_an_invalid_librechat_yaml_with_one_line_per_problem(tmp_path):
    config = tmp_path / "librechat.yaml"
    config.write_text(
        "version: 1.3.14\nendpoints:\n  openAI:\n    streamRate: fast\n  opneAI: {}\n"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "serve"],
        cwd=ROOT,
        env=clean_env(tmp_path, CONFIG_PATH=str(config)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "parley: invalid configuration:",
        f"error: {config}:4:5: endpoints.openAI.streamRate: 'fast' must be a valid number",
        f"error: {config}:5:3: endpoints.opneAI: unknown key (did you mean 'openAI'?)",
    ]
