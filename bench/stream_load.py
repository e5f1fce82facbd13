"""Streaming load: added latency and cost per token, measured against the provider alone.

    python -m bench.stream_load                          every scenario (bench/README.md)
    python -m bench.stream_load --only stream-n1-rate1   some of them
    python -m bench.stream_load --streams 2 --reply-tokens 20 --tokens-per-second 200
    python -m bench.stream_load --idle-sockets 100       custom runs

Each run starts its own mock provider and Parley (daphne via `manage.py serve`).
A stream run reads N replies twice: straight from the mock by the SDK (the
baseline, in this process), then through Parley over N signed-in WebSockets
that all send at the same moment. An idle run opens signed-in sockets that
stay silent and weighs them. One table row per run; the JSON goes to bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

import httpx
from django.conf import settings  # lazy: read once set_up has configured Django

from bench import share_secrets
from bench.streaming import baseline, client, idle, report, services, users
from bench.streaming.procstat import Cost
from bench.streaming.record import Stream, measure, summarize
from bench.streaming.scenarios import ALL, BY_NAME, Scenario
from bench.streaming.services import Service

SETTLE = 2.0  # seconds idle sockets are left before they are weighed
RESULTS = Path(__file__).resolve().parent / "results"


def run(scenario: Scenario, env: Mapping[str, str], workdir: Path) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:6]
    load_start = os.getloadavg()
    with _services(scenario, env, workdir) as (mock, servers):
        figures = (
            _idle(scenario, servers[0], tag)
            if scenario.idle
            else _streams(scenario, mock, servers, tag)
        )
        figures["peak_rss_mb"] = round(max(s.memory().peak_rss_kb for s in servers) / 1024, 1)
        figures["mock_cpu_s"] = round(mock.cpu_seconds(), 2)
    return {
        "scenario": asdict(scenario),
        "load_average": {"start": load_start, "end": os.getloadavg()},
        **figures,
    }


@contextlib.contextmanager
def _services(
    scenario: Scenario, env: Mapping[str, str], workdir: Path
) -> Iterator[tuple[Service, list[Service]]]:
    workdir.mkdir(parents=True, exist_ok=True)
    mock, servers = services.start(scenario, env, workdir)
    try:
        yield mock, servers
    finally:
        for service in (*servers, mock):
            service.stop()


def _streams(scenario: Scenario, mock: Service, servers: list[Service], tag: str) -> dict[str, Any]:
    n, give_up_after = scenario.streams, scenario.patience_s
    direct = [Stream(f"bench {tag} sdk {i}") for i in range(n)]
    sdk_cost = asyncio.run(baseline.read_streams(f"{mock.url}/v1", direct, give_up_after))

    warm = len(servers)  # one warm-up turn per process
    cookies = [users.cookie(key) for key in users.sign_in(n + warm, tag)]
    relayed = [Stream(f"bench {tag} parley {i}") for i in range(n)]
    urls = [_ws_url(parley) for parley in servers]
    pids = [parley.process.pid for parley in servers]
    cost = asyncio.run(client.converse_all(urls, cookies, relayed, give_up_after, pids))

    log = httpx.get(f"{mock.url}/mock/streams").json()["streams"]
    sent = {entry["prompt"]: entry for entry in log}
    sdk = summarize([measure(s, sent.get(s.prompt)) for s in direct])
    sdk.update(
        cpu_s=sdk_cost.harness_cpu_s,
        wall_s=sdk_cost.wall_s,
        cpu_per_token_us=_per_token(sdk_cost.harness_cpu_s, sdk),
        tokens_per_s=_rate(sdk["tokens"], sdk_cost.wall_s),
    )
    through = summarize([measure(s, sent.get(s.prompt)) for s in relayed])
    through.update(
        server_cpu_s=cost.server_cpu_s,
        harness_cpu_s=cost.harness_cpu_s,
        wall_s=cost.wall_s,
        cpu_per_token_us=_per_token(cost.server_cpu_s, through),
        tokens_per_s=_rate(through["tokens"], cost.wall_s),
    )
    return {"parley": through, "baseline": sdk, "versus": _versus(through, sdk)}


def _ws_url(parley: Service) -> str:
    return parley.url.replace("http://", "ws://", 1) + "/ws/chat/"


def _idle(scenario: Scenario, parley: Service, tag: str) -> dict[str, Any]:
    n = scenario.idle_sockets
    cookies = [users.cookie(key) for key in users.sign_in(n + 1, tag)]
    url = _ws_url(parley)

    async def weigh() -> dict[str, Any]:
        # One socket first, so what the first connection imports is not counted per socket.
        await client.close_all(await client.open_sockets([url], cookies[:1]))
        await asyncio.sleep(SETTLE)
        before, cost = parley.memory(), Cost.now([parley.process.pid])
        sockets = await client.open_sockets([url], cookies[1:])
        await asyncio.sleep(SETTLE)
        after, spent = parley.memory(), Cost.now([parley.process.pid]).since(cost)
        still_open = client.still_open(sockets)
        await client.close_all(sockets)
        added_kb = after.rss_kb - before.rss_kb
        return {
            "idle": {
                "sockets": n,
                "open": still_open,
                "rss_before_mb": round(before.rss_kb / 1024, 1),
                "rss_after_mb": round(after.rss_kb / 1024, 1),
                "kb_per_socket": round(added_kb / n, 1),
                "connect_cpu_s": spent.server_cpu_s,
            }
        }

    return asyncio.run(weigh())


def _per_token(cpu_s: float, summary: dict[str, Any]) -> float | None:
    """CPU µs per delivered token, which is also CPU ms per 1,000 tokens."""
    return round(cpu_s / summary["tokens"] * 1e6, 1) if summary["tokens"] else None


def _rate(tokens: int, wall_s: float) -> float | None:
    """Tokens delivered per second of the burst (all sent at once, until the last ended)."""
    return round(tokens / wall_s, 1) if wall_s > 0 else None


def _versus(parley: dict[str, Any], sdk: dict[str, Any]) -> dict[str, float | None]:
    """Parley's cost against the baseline's: ratio and difference."""
    ours, theirs = parley["cpu_per_token_us"], sdk["cpu_per_token_us"]
    versus: dict[str, float | None] = {
        "cpu_per_token_ratio": round(ours / theirs, 2) if ours and theirs else None,
        "cpu_per_token_diff_us": round(ours - theirs, 1) if ours and theirs else None,
    }
    rates = parley["tokens_per_s"], sdk["tokens_per_s"]
    versus["throughput_ratio"] = round(rates[0] / rates[1], 3) if all(rates) else None
    for p in ("p50", "p99"):
        a, b = parley["added_ttft_ms"], sdk["added_ttft_ms"]
        versus[f"added_ttft_{p}_diff_ms"] = round(a[p] - b[p], 2) if a and b else None
    return versus


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.stream_load")
    parser.add_argument("--only", nargs="+", choices=sorted(BY_NAME), help="scenarios to run")
    parser.add_argument("--streams", type=int, help="one custom run with this many streams")
    parser.add_argument("--stream-rate", type=float, default=1, help="ms (custom run)")
    parser.add_argument("--tokens-per-second", type=float, default=50, help="(custom run)")
    parser.add_argument("--reply-tokens", type=int, default=500, help="(custom run)")
    parser.add_argument("--ttft-ms", type=float, default=100, help="(custom run)")
    parser.add_argument("--processes", type=int, default=1, help="web processes (custom run)")
    parser.add_argument("--idle-sockets", type=int, help="one custom idle run with this many")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where the JSON goes")
    return parser.parse_args(argv)


def scenarios(args: argparse.Namespace) -> list[Scenario]:
    custom = []
    if args.streams:
        custom.append(
            Scenario(
                f"custom-n{args.streams}",
                streams=args.streams,
                stream_rate=args.stream_rate,
                tokens_per_second=args.tokens_per_second,
                reply_tokens=args.reply_tokens,
                ttft_ms=args.ttft_ms,
                processes=args.processes,
            )
        )
    if args.idle_sockets:
        custom.append(Scenario(f"custom-idle{args.idle_sockets}", idle_sockets=args.idle_sockets))
    if custom:
        return custom
    return [BY_NAME[name] for name in args.only] if args.only else list(ALL)


def mode() -> str:
    database = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
    layer = "Redis" if os.environ.get("REDIS_URI") or os.environ.get("USE_REDIS") else "in-memory"
    return f"{database} database, {layer} channel layer, {settings.PROVIDER_HTTP_TRANSPORT}"


def set_up(workdir: Path) -> dict[str, str]:
    """This process and the servers share one environment: same database, same secrets."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chatapp.settings")
    os.environ["PARLEY_DATA_DIR"] = str(workdir)  # secrets, SQLite (embedded), logs
    os.environ["METRICS_TOKEN"] = idle.TOKEN  # the harness reads when the servers are idle
    share_secrets()
    import django
    from django.core.management import call_command

    django.setup()
    logging.disable(logging.INFO)  # the settings log every HTTP request at INFO
    call_command("migrate", verbosity=0, interactive=False)
    return dict(os.environ)


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    workdir = Path(tempfile.mkdtemp(prefix="parley-bench-"))
    env = set_up(workdir)
    session = {"machine": report.machine(), "mode": mode(), "started_at": _now(), "runs": []}
    print(f"{session['mode']}; {session['machine']['cores']} cores; load = 1-minute load average")
    print(report.header(), flush=True)
    failed = troubled = False
    for scenario in scenarios(args):
        if scenario.processes > 1 and "Redis" not in session["mode"]:
            print(report.skipped(scenario.name, "two web processes need Redis (REDIS_URI)"))
            continue
        try:
            result = run(scenario, env, workdir / scenario.name)
        except Exception as error:  # one broken run must not lose the others' figures
            failed = True
            result = {"scenario": vars(scenario), "load_average": {"start": os.getloadavg()}}
            result["failed"] = str(error)
        troubled = troubled or failed or result.get("parley", {}).get("errors", 0) > 0
        session["runs"].append(result)
        print(report.row(result), flush=True)
    session["finished_at"] = _now()
    print(f"results: {report.write(session, args.results)}")
    if troubled:
        print(f"the servers' logs are kept in {workdir}", file=sys.stderr)
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if failed else 0


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
