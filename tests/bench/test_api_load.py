"""The /v1 benchmark harness runs end to end (bench/api_load.py): keys made, streams read
through Parley's API with the openai SDK and straight from the mock. No timing is asserted."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.bench.test_stream_load import ROOT, bench_env  # noqa: F401  (the fixture)


@pytest.mark.timeout(300)  # one run: a mock provider and a daphne process
def test_two_streams_through_the_api(bench_env, tmp_path):  # noqa: F811
    argv = [sys.executable, "-m", "bench.api_load", "--results", str(tmp_path)]
    argv += ["--streams", "2", "--reply-tokens", "12", "--tokens-per-second", "200"]
    argv += ["--ttft-ms", "0"]
    done = subprocess.run(
        argv, cwd=ROOT, env=bench_env, capture_output=True, text=True, timeout=240
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (written,) = tmp_path.glob("*.json")
    (run,) = json.loads(written.read_text())["runs"]
    for side in (run["parley"], run["baseline"]):
        assert (side["streams"], side["ok"], side["errors"]) == (2, 2, 0), side
        assert side["tokens"] == 2 * 12
    assert run["parley"]["server_cpu_s"] > 0 and run["parley"]["e2e_ttft_ms"]["p50"] is not None
