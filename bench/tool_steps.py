"""Parley's own time per tool step, with the in-process echo tool (issue 16).

    python -m bench.tool_steps                 # 1 and 50 concurrent turns, 3 steps each
    python -m bench.tool_steps --turns 10 --steps 5

A step's time is Parley's own: from the moment the mock provider sent the last piece of a
reply that asks for a tool (`last_content_at`) to the moment the next model request, with
the tool's result, reached it (`received_at`); both are the mock's clocks, so no clock is
compared across processes. In between: the SDK reads the end of the reply, the calls are
assembled, the step is saved and published as it starts, the echo tool runs (no delay),
the step is saved and published as it ends, and the next request is built and sent.

The mock provider runs in its own process (`manage.py mockprovider`, unpaced); Parley's
engine runs in this one, driven through its public functions (chatapp.engine.turns) as
any edge drives it, on a temporary SQLite file (the embedded default) unless
DATABASE_URL and REDIS_URI are set (production settings). A warm-up turn runs first
(tiktoken's tables, the SDK's clients). Every turn must end `complete` with all its steps
`done`, else the run fails. `CPU ms/call` is this process's CPU time (engine, SDK,
database thread) per model call of the run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def start_mock() -> tuple[subprocess.Popen, str]:
    command = [sys.executable, "manage.py", "mockprovider", "--port", "0"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    url = (process.stdout.readline() if process.stdout else "").strip().split()[-1]
    return process, url


def configure(mock_url: str, data: str) -> None:
    path = Path(data) / "librechat.yaml"
    path.write_text(
        "version: 1.3.14\nendpoints:\n  custom:\n    - name: mock\n      apiKey: sk-bench\n"
        f"      baseURL: {mock_url}/v1\n      models: {{default: [mock-small]}}\n"
        "      streamRate: 1\n      titleConvo: false\n"
    )
    os.environ.update(CONFIG_PATH=str(path), PARLEY_ECHO_TOOL="true", PARLEY_DATA_DIR=data)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chatapp.settings")


def script(tag: str, steps: int) -> str:
    return "\n".join(f'tool: echo {{"text": "{tag}-{k}"}}' for k in range(steps))


async def run_turns(users: list, tag: str, steps: int) -> list[dict]:
    """Start one turn per user at once; the `final` frame of each."""
    from chatapp.engine import admission, events, turns
    from chatapp.engine.hub import hub

    finals: dict[str, asyncio.Future] = {}

    class Watcher:
        def __init__(self, key: str) -> None:
            self.key = key

        async def relay(self, frame: dict) -> None:
            if frame["type"] == "final" and not finals[self.key].done():
                finals[self.key].set_result(frame["message"])

    client = admission.Client("127.0.0.1", None)

    async def one(i: int, user) -> None:
        key = f"{tag}-t{i}"
        finals[key] = asyncio.get_running_loop().create_future()
        ask = turns.Ask(text=script(key, steps), endpoint="mock", model="mock-small")
        started = await turns.send(user, client, ask)
        group = events.conversation_group(user.pk, started.turn.conversation.id)
        hub.join(group, Watcher(key))
        started.begin()

    await asyncio.gather(*(one(i, user) for i, user in enumerate(users)))
    return list(await asyncio.wait_for(asyncio.gather(*finals.values()), 600))


def step_times(mock_url: str, tag: str) -> list[float]:
    """Milliseconds per step of the run `tag`, from the mock's log of what it streamed."""
    with urllib.request.urlopen(f"{mock_url}/mock/streams", timeout=30) as reply:
        streams = json.load(reply)["streams"]
    by_turn: dict[str, list[dict]] = {}
    for sent in streams:
        if sent["prompt"].startswith(f'tool: echo {{"text": "{tag}-t'):
            by_turn.setdefault(sent["prompt"], []).append(sent)
    times = []
    for calls in by_turn.values():
        calls.sort(key=lambda sent: sent["received_at"])
        for asked, answered in zip(calls, calls[1:], strict=False):
            times.append((answered["received_at"] - asked["last_content_at"]) * 1000)
    return times


def scenario(mock_url: str, turns: int, steps: int) -> dict:
    from django.contrib.auth import get_user_model

    tag = f"n{turns}-{int(time.time() * 1000)}"
    users = [
        get_user_model().objects.get_or_create(email=f"bench-tools-{tag}-{i}@example.invalid")[0]
        for i in range(turns)
    ]
    load_before = os.getloadavg()
    started, cpu = time.perf_counter(), time.process_time()
    finals = asyncio.run(run_turns(users, tag, steps))
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    bad = [
        f for f in finals
        if f["state"] != "complete" or [s["state"] for s in f["steps"]] != ["done"] * steps
    ]  # fmt: skip
    times = sorted(step_times(mock_url, tag))
    return {
        "turns": turns,
        "steps": len(times),
        "errors": len(bad),
        "p50_ms": statistics.median(times),
        "p95_ms": times[max(0, round(len(times) * 0.95) - 1)],
        "max_ms": times[-1],
        "wall_s": wall,
        "cpu_ms_per_call": cpu * 1000 / (turns * (steps + 1)),
        "load_before": load_before,
        "load_after": os.getloadavg(),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.tool_steps")
    parser.add_argument("--turns", type=int, nargs="*", default=[1, 50])
    parser.add_argument("--steps", type=int, default=3)
    args = parser.parse_args(argv)
    mock, mock_url = start_mock()
    try:
        data = tempfile.mkdtemp(prefix="parley-bench-tools-")
        configure(mock_url, data)
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        database = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
        print(f"tool steps bench: echo tool, {args.steps} steps a turn, {database}; ms per step")
        print(
            "  turns  steps  errors     p50     p95     max   wall s  CPU ms/call"
            "  load 1-min before/after"
        )
        scenario(mock_url, 1, args.steps)  # warm-up, not shown: tiktoken's tables, SDK clients
        failed = False
        for turns in args.turns:
            r = scenario(mock_url, turns, args.steps)
            failed |= r["errors"] > 0 or r["steps"] != turns * args.steps
            print(
                f"  {r['turns']:>5}  {r['steps']:>5}  {r['errors']:>6}  {r['p50_ms']:6.1f}"
                f"  {r['p95_ms']:6.1f}  {r['max_ms']:6.1f}  {r['wall_s']:7.2f}"
                f"  {r['cpu_ms_per_call']:11.1f}"
                f"  {r['load_before'][0]:.2f} / {r['load_after'][0]:.2f}"
            )
        return 1 if failed else 0
    finally:
        mock.terminate()
        mock.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
