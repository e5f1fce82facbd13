"""CPU time and memory of a process, read from Linux's /proc (where the benchmarks run)."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Memory:
    rss_kb: int  # resident now
    peak_rss_kb: int  # the high-water mark since the process started


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of every thread of `pid`."""
    # The command name may hold spaces; the numeric fields follow its closing parenthesis.
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of proc(5)
    return (utime + stime) / CLOCK_TICKS


def memory(pid: int) -> Memory:
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0])
    return Memory(rss_kb=values["VmRSS"], peak_rss_kb=values["VmHWM"])


@dataclass(frozen=True)
class Cost:
    """CPU seconds of the servers and of this process, and wall seconds: a reading or a span."""

    server_cpu_s: float
    harness_cpu_s: float
    wall_s: float

    @classmethod
    def now(cls, server_pids: Sequence[int] = ()) -> Cost:
        server = sum(cpu_seconds(pid) for pid in server_pids)
        return cls(server, time.process_time(), time.monotonic())

    def since(self, before: Cost) -> Cost:
        pairs = zip(asdict(self).values(), asdict(before).values(), strict=True)
        return Cost(*(round(now - then, 3) for now, then in pairs))
