"""The processes a run measures: the mock provider and Parley (daphne via `manage.py serve`).

Each run starts its own pair, so CPU time and peak memory belong to that run alone.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx
import yaml

from bench.streaming import procstat
from bench.streaming.scenarios import Scenario

ROOT = Path(__file__).resolve().parents[2]
ENDPOINT = "mock"  # the custom endpoint Parley is configured with
MODEL = "mock-small"
START_TIMEOUT = 90.0  # seconds; start-up is slow on a loaded machine


@dataclass
class Service:
    name: str
    process: subprocess.Popen
    url: str
    log: Path

    def cpu_seconds(self) -> float:
        return procstat.cpu_seconds(self.process.pid)

    def memory(self) -> procstat.Memory:
        return procstat.memory(self.process.pid)

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def failure(self, what: str) -> RuntimeError:
        tail = self.log.read_text(errors="replace")[-2000:]
        return RuntimeError(f"{self.name} {what}; its log ({self.log}) ends:\n{tail}")


def free_port() -> int:
    """A port free now on 127.0.0.1 (`manage.py serve` takes a port, not 0)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _spawn(
    name: str, argv: list[str], env: Mapping[str, str], workdir: Path, stdout: int | None = None
) -> tuple[subprocess.Popen, Path]:
    """`manage.py ARGV` with its output in WORKDIR/NAME.log (stdout: a pipe if asked)."""
    log = workdir / f"{name}.log"
    with log.open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, "manage.py", *argv],
            cwd=ROOT,
            env=dict(env),
            stdout=sink if stdout is None else stdout,
            stderr=sink,
            text=True,
        )
    return process, log


def start(
    scenario: Scenario, env: Mapping[str, str], workdir: Path
) -> tuple[Service, list[Service]]:
    """The mock provider and Parley's web processes aimed at it, started side by side."""
    mock = _spawn_mock(scenario, env, workdir)
    config = write_config(workdir / "librechat.yaml", mock.url, scenario.stream_rate)
    servers = [_spawn_parley(env, config, workdir, i) for i in range(scenario.processes)]
    try:
        _wait_for_mock(mock)
        for parley in servers:
            _wait_healthy(parley)
    except RuntimeError:
        for service in (*servers, mock):
            service.stop()
        raise
    return mock, servers


def _spawn_mock(scenario: Scenario, env: Mapping[str, str], workdir: Path) -> Service:
    port = free_port()
    argv = [
        "mockprovider",
        f"--port={port}",
        f"--ttft-ms={scenario.ttft_ms}",
        f"--tokens-per-second={scenario.tokens_per_second}",
        f"--reply-tokens={scenario.reply_tokens}",
    ]
    process, log = _spawn("mock", argv, env, workdir, stdout=subprocess.PIPE)
    return Service("mock provider", process, f"http://127.0.0.1:{port}", log)


def _wait_for_mock(mock: Service) -> None:
    line = mock.process.stdout.readline()  # "mock provider on http://127.0.0.1:PORT", or EOF
    if not line.startswith("mock provider on "):
        raise mock.failure("did not start")


def write_config(path: Path, mock_url: str, stream_rate: float) -> Path:
    """A librechat.yaml with one custom endpoint served by the mock provider."""
    endpoint = {
        "name": ENDPOINT,
        "apiKey": "sk-bench",
        "baseURL": f"{mock_url}/v1",
        "models": {"default": [MODEL], "fetch": False},
        "titleConvo": False,  # titles would add requests the figures do not account for
        "streamRate": stream_rate,
    }
    path.write_text(yaml.safe_dump({"version": "1.3.14", "endpoints": {"custom": [endpoint]}}))
    return path


def _spawn_parley(env: Mapping[str, str], config: Path, workdir: Path, index: int) -> Service:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = {"HOST": "127.0.0.1", "PORT": str(port), "DOMAIN_CLIENT": url}
    name = f"parley-{index}" if index else "parley"
    process, log = _spawn(name, ["serve"], {**env, **settings, "CONFIG_PATH": str(config)}, workdir)
    return Service("Parley", process, url, log)


def _wait_healthy(service: Service) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if not service.alive():
            raise service.failure("exited at start-up")
        try:
            if httpx.get(f"{service.url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise service.failure(f"did not answer /health within {START_TIMEOUT:.0f} s")
