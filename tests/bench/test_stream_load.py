"""The benchmark harness runs end to end (bench/stream_load.py). No timing is asserted:
the figures are reported by `make bench`, not tested."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def bench_env(request) -> dict[str, str]:
    """This run's environment; a PostgreSQL server gets a scratch database of its own."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    if env.get("DATABASE_URL"):
        env["DATABASE_URL"] = request.getfixturevalue("scratch_postgres_url")
    if env.get("REDIS_URI"):
        env["REDIS_KEY_PREFIX"] = f"parley-bench-{uuid.uuid4().hex[:8]}"
    return env


@pytest.mark.timeout(300)  # two runs, each starting a mock provider and a daphne process
def test_two_streams_and_three_idle_sockets(bench_env, tmp_path):
    argv = [sys.executable, "-m", "bench.stream_load", "--results", str(tmp_path)]
    argv += ["--streams", "2", "--reply-tokens", "12", "--tokens-per-second", "200"]
    argv += ["--ttft-ms", "0", "--idle-sockets", "3"]
    done = subprocess.run(
        argv, cwd=ROOT, env=bench_env, capture_output=True, text=True, timeout=240
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "custom-n2" in done.stdout and "custom-idle3" in done.stdout

    (written,) = tmp_path.glob("*.json")
    streams, idle = json.loads(written.read_text())["runs"]
    for side in (streams["parley"], streams["baseline"]):
        assert (side["streams"], side["ok"], side["errors"]) == (2, 2, 0)
        assert side["tokens"] == 2 * 12  # every word of both replies, compared with the mock's
    assert streams["parley"]["server_cpu_s"] > 0
    for figure in ("e2e_ttft_ms", "to_provider_ms", "added_ttft_ms"):
        assert streams["parley"][figure]["p50"] is not None
    assert streams["parley"]["to_provider_ms"]["p50"] >= 0
    assert streams["parley"]["tokens_per_s"] > 0 and streams["versus"]["throughput_ratio"] > 0
    assert idle["idle"]["open"] == 3


@pytest.mark.timeout(300)
def test_streams_spread_over_two_web_processes(bench_env, redis_uri, tmp_path):
    argv = [sys.executable, "-m", "bench.stream_load", "--results", str(tmp_path)]
    argv += ["--streams", "4", "--processes", "2", "--reply-tokens", "12"]
    argv += ["--tokens-per-second", "200", "--ttft-ms", "0"]
    done = subprocess.run(
        argv, cwd=ROOT, env=bench_env, capture_output=True, text=True, timeout=240
    )
    assert done.returncode == 0, done.stdout + done.stderr

    (written,) = tmp_path.glob("*.json")
    (run,) = json.loads(written.read_text())["runs"]
    assert run["scenario"]["processes"] == 2
    assert (run["parley"]["ok"], run["parley"]["errors"]) == (4, 0)
