"""`manage.py serve`: daphne behind Parley's own access log, with the resolved client."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.chatapp.conf.test_startup import free_port

ROOT = Path(__file__).resolve().parents[3]


def listening(port: int, server: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and server.poll() is None:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"manage.py serve is not listening on {port}")


def test_the_access_log_has_the_real_address_of_a_direct_client(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    env.update(
        PARLEY_DATA_DIR=str(tmp_path),
        HOST="127.0.0.1",
        PORT=str(port),
        DEBUG_LOGGING="false",
        TRUSTED_PROXIES="192.0.2.0/24",  # loopback is no proxy here: a direct client
    )
    server = subprocess.Popen(
        [sys.executable, "manage.py", "serve"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        listening(port, server)
        forged = urllib.request.Request(
            f"http://127.0.0.1:{port}/accounts/login/", headers={"X-Forwarded-For": "198.51.100.1"}
        )
        try:
            urllib.request.urlopen(forged, timeout=10).read()
        except urllib.error.HTTPError as error:  # no migrations here: only the log matters
            error.read()
    finally:
        server.terminate()
        output = server.communicate(timeout=15)[0]
    logged = [line for line in output.splitlines() if '"GET /accounts/login/"' in line]
    assert len(logged) == 1, output  # Parley's line only: daphne's own access log is off
    assert 'chatapp.access: 127.0.0.1 "GET /accounts/login/"' in logged[0]
    assert "198.51.100.1" not in output
