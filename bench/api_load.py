"""The /v1 API under a burst: the openai SDK streaming through Parley, against the SDK alone.

    python -m bench.api_load                      api-n1, api-n50, api-n200
    python -m bench.api_load --only api-n1 api-n50

The same burst as the chat socket's `turn-*` runs (bench/stream_load.py) on the API
path: N users, each with a personal API key, send one streamed chat completion at the
same moment (`stream_options.include_usage`, as a client that wants its usage asks),
and read it to its end with the official `openai` SDK. Each run starts its own mock
provider and Parley; the baseline is the same N streams read straight from the mock.
Figures: end-to-end added time to first token (send → first text, less the mock's own
time to first token), CPU per 1,000 tokens of the server, the load average. The JSON
goes to bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import openai

from bench import stream_load
from bench.streaming import baseline, idle, report
from bench.streaming.client import WARM_UP
from bench.streaming.procstat import Cost
from bench.streaming.record import Stream, measure, summarize
from bench.streaming.scenarios import TURN, Scenario
from bench.streaming.services import ENDPOINT, MODEL, Service

# streamRate 1 ms: an API client gets each chunk as it comes (the socket's turn-* use 25).
API = [Scenario(f"api-n{n}", streams=n, **{**TURN, "stream_rate": 1}) for n in (1, 50, 200)]
BY_NAME = {scenario.name: scenario for scenario in API}


def keys(count: int, tag: str) -> list[str]:
    """`count` users with a personal API key each, written straight into the database."""
    from django.contrib.auth import get_user_model

    from accounts import apikeys

    User = get_user_model()
    users = User.objects.bulk_create(
        User(email=f"bench-{tag}-{i}@example.invalid") for i in range(count)
    )
    return [apikeys.create(user, name="bench")[1] for user in users]


async def read_all(base_url: str, api_keys: list[str], streams: list[Stream], pid: int) -> Cost:
    """Send every stream at the same moment, each with its own key; the servers' cost."""
    limits = httpx.Limits(max_connections=len(streams) + 1, max_keepalive_connections=0)
    http = httpx.AsyncClient(limits=limits, timeout=httpx.Timeout(600))
    client = openai.AsyncOpenAI(
        api_key=api_keys[0], base_url=base_url, max_retries=0, http_client=http
    )
    async with client:
        patience = 600.0
        ready = asyncio.Event()
        ready.set()
        await _read(client.with_options(api_key=api_keys[0]), Stream(WARM_UP), ready, patience)
        await idle.settled([base_url.removesuffix("/v1")])
        start = asyncio.Event()
        tasks = [
            asyncio.create_task(_read(client.with_options(api_key=key), s, start, patience))
            for key, s in zip(api_keys[1:], streams, strict=True)
        ]
        await asyncio.sleep(0)
        before = Cost.now([pid])
        start.set()
        await asyncio.gather(*tasks)
        return Cost.now([pid]).since(before)


async def _read(client: openai.AsyncOpenAI, stream: Stream, start, patience: float) -> None:
    await start.wait()
    stream.sent_at = time.time()
    try:
        async with asyncio.timeout(patience):
            chunks = await client.chat.completions.create(
                model=f"{ENDPOINT}/{MODEL}",
                messages=[{"role": "user", "content": stream.prompt}],
                stream=True,
                stream_options={"include_usage": True},
            )
            async for chunk in chunks:
                text = chunk.choices[0].delta.content if chunk.choices else None
                if text:
                    stream.received(text, time.time())
            stream.finished_at = time.time()
    except TimeoutError:
        stream.error = f"not finished within {patience:.0f} s"
    except openai.OpenAIError as failure:
        stream.error = f"{type(failure).__name__}: {failure}"


def run(scenario: Scenario, env: dict[str, str], workdir: Path) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:6]
    load_start = os.getloadavg()
    with stream_load._services(scenario, env, workdir) as (mock, servers):
        figures = _streams(scenario, mock, servers[0], tag)
        figures["peak_rss_mb"] = round(servers[0].memory().peak_rss_kb / 1024, 1)
        figures["mock_cpu_s"] = round(mock.cpu_seconds(), 2)
    return {
        "scenario": {**vars(scenario), "path": "/v1/chat/completions"},
        "load_average": {"start": load_start, "end": os.getloadavg()},
        **figures,
    }


def _streams(scenario: Scenario, mock: Service, parley: Service, tag: str) -> dict[str, Any]:
    n = scenario.streams
    direct = [Stream(f"bench {tag} sdk {i}") for i in range(n)]
    sdk_cost = asyncio.run(baseline.read_streams(f"{mock.url}/v1", direct, scenario.patience_s))
    relayed = [Stream(f"bench {tag} api {i}") for i in range(n)]
    api_keys = keys(n + 1, tag)  # one more for the warm-up
    cost = asyncio.run(read_all(f"{parley.url}/v1", api_keys, relayed, parley.process.pid))
    log = httpx.get(f"{mock.url}/mock/streams").json()["streams"]
    sent = {entry["prompt"]: entry for entry in log}
    sdk = summarize([measure(s, sent.get(s.prompt)) for s in direct])
    sdk.update(
        cpu_s=sdk_cost.harness_cpu_s,
        wall_s=sdk_cost.wall_s,
        cpu_per_token_us=stream_load._per_token(sdk_cost.harness_cpu_s, sdk),
        tokens_per_s=stream_load._rate(sdk["tokens"], sdk_cost.wall_s),
    )
    through = summarize([measure(s, sent.get(s.prompt)) for s in relayed])
    through.update(
        server_cpu_s=cost.server_cpu_s,
        harness_cpu_s=cost.harness_cpu_s,
        wall_s=cost.wall_s,
        cpu_per_token_us=stream_load._per_token(cost.server_cpu_s, through),
        tokens_per_s=stream_load._rate(through["tokens"], cost.wall_s),
    )
    return {"parley": through, "baseline": sdk, "versus": stream_load._versus(through, sdk)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.api_load")
    parser.add_argument("--only", nargs="+", choices=sorted(BY_NAME), help="scenarios to run")
    parser.add_argument("--streams", type=int, help="one custom run with this many streams")
    parser.add_argument("--reply-tokens", type=int, default=300, help="(custom run)")
    parser.add_argument("--tokens-per-second", type=float, default=50, help="(custom run)")
    parser.add_argument("--ttft-ms", type=float, default=200, help="(custom run)")
    parser.add_argument("--results", type=Path, default=stream_load.RESULTS)
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="parley-api-bench-"))
    os.environ["GLOBAL_API_RATE_LIMIT"] = "0"  # one client IP sends the whole burst
    env = stream_load.set_up(workdir)
    session = {"machine": report.machine(), "mode": stream_load.mode(), "runs": []}
    print(f"{session['mode']}; {session['machine']['cores']} cores; /v1/chat/completions")
    print(report.header(), flush=True)
    failed = False
    for scenario in _scenarios(args):
        try:
            result = run(scenario, env, workdir / scenario.name)
        except Exception as error:  # one broken run must not lose the others' figures
            failed = True
            result = {"scenario": vars(replace(scenario)), "failed": str(error)}
            result["load_average"] = {"start": os.getloadavg()}
        session["runs"].append(result)
        print(report.row(result), flush=True)
    print(f"results: {report.write(session, args.results)}")
    return 1 if failed else 0


def _scenarios(args: argparse.Namespace) -> list[Scenario]:
    if args.streams:
        custom = {"reply_tokens": args.reply_tokens, "ttft_ms": args.ttft_ms}
        pace = {"tokens_per_second": args.tokens_per_second, "stream_rate": 1}
        return [Scenario(f"api-custom-n{args.streams}", streams=args.streams, **custom, **pace)]
    return [BY_NAME[name] for name in args.only] if args.only else API


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
