"""The figures out: one table row per run on the console, and the whole session as JSON."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import time
from pathlib import Path
from typing import Any

from bench.streaming.services import ROOT

COLUMNS = (
    ("run", 18),
    ("load", 5),
    ("ok/N", 9),
    ("err", 4),
    ("e2e+ p50/p99", 15),
    ("to prov p50/p99", 16),
    ("relay+ p50/p99", 15),
    ("sdk p50/p99", 13),
    ("last+ p50/p99", 15),
    ("gap p50/p99", 13),
    ("cpu s", 7),
    ("ms/1k tok", 9),
    ("sdk", 6),
    ("tok/s", 7),
    ("vs sdk", 6),
    ("rss MB", 7),
)


def header() -> str:
    return " ".join(name.ljust(width) for name, width in COLUMNS)


def row(result: dict[str, Any]) -> str:
    """One line per run; an idle run reports memory per socket instead."""
    name = result["scenario"]["name"]
    load = f"{result['load_average']['start'][0]:.1f}"
    if "failed" in result:
        return f"{name:<18} {load:<5} FAILED: {result['failed']}"
    if "idle" in result:
        idle = result["idle"]
        return (
            f"{name:<18} {load:<5} {idle['open']}/{idle['sockets']} sockets open, "
            f"{idle['kb_per_socket']} KB per socket "
            f"(RSS {idle['rss_before_mb']} → {idle['rss_after_mb']} MB), "
            f"peak RSS {result['peak_rss_mb']} MB"
        )
    parley, sdk = result["parley"], result["baseline"]
    cells = (
        name,
        load,
        f"{parley['ok']}/{parley['streams']}",
        str(parley["errors"]),
        _pair(parley["e2e_ttft_ms"]),
        _pair(parley["to_provider_ms"]),
        _pair(parley["added_ttft_ms"]),
        _pair(sdk["e2e_ttft_ms"]),
        _pair(parley["added_last_token_ms"]),
        _pair(parley["gap_ms"]),
        f"{parley['server_cpu_s']:.2f}",
        str(parley["cpu_per_token_us"]),
        str(sdk["cpu_per_token_us"]),
        str(parley["tokens_per_s"]),
        str(result["versus"]["throughput_ratio"]),
        str(result["peak_rss_mb"]),
    )
    return " ".join(cell.ljust(width) for cell, (_, width) in zip(cells, COLUMNS, strict=True))


def skipped(name: str, why: str) -> str:
    return f"{name:<18} skipped: {why}"


def _pair(summary: dict[str, float] | None) -> str:
    return f"{summary['p50']:.0f}/{summary['p99']:.0f}" if summary else "-"


def machine() -> dict[str, Any]:
    """Where the figures came from."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(memory_kb / 1024**2, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "commit": commit,
    }


def write(session: dict[str, Any], directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / time.strftime("%Y%m%dT%H%M%SZ.json", time.gmtime())
    path.write_text(json.dumps(session, indent=2, ensure_ascii=False) + "\n")
    return path
