"""Search latency over 100,000 messages of one user (target: p95 under 50 ms on PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python -m bench.search

Creates a scratch database on that server (`parley_bench_search`, dropped after), fills it
with one user's conversations of generated text (a Zipf-distributed vocabulary of words with
English letter frequencies, a tenth of the messages in Chinese), then times
`chatapp.search.service.search` end to end (queries and snippets) for words of every
frequency, two-word queries, prefixes, CJK words and misses.
Without DATABASE_URL it runs on a temporary SQLite file (the embedded default).
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

from bench import share_secrets

TARGET_P95_MS = 50.0
SCRATCH = "parley_bench_search"
CJK_WORDS = [
    "搜索", "引擎", "数据", "模型", "设计", "测试", "服务", "用户",
    "网络", "系统", "问题", "方法", "时间", "语言", "学习", "代码",
]  # fmt: skip
# English letter frequencies: words with a realistic spread of trigrams.
LETTERS = "etaoinshrdlcumwfgypbvkjxqz"
LETTER_WEIGHTS = [12.7, 9.1, 8.2, 7.5, 7.0, 6.7, 6.3, 6.1, 6.0, 4.3, 4.0, 2.8, 2.8, 2.4, 2.4,
                  2.2, 2.0, 2.0, 1.9, 1.5, 1.0, 0.8, 0.2, 0.2, 0.1, 0.1]  # fmt: skip


def vocabulary(size: int, rng: random.Random) -> list[str]:
    words: dict[str, None] = {}
    while len(words) < size:
        length = rng.randint(3, 9)
        words["".join(rng.choices(LETTERS, weights=LETTER_WEIGHTS, k=length))] = None
    return list(words)


def text(rng: random.Random, words: list[str], cumulative: list[float]) -> str:
    if rng.random() < 0.1:
        return "我们" + "的".join(rng.choices(CJK_WORDS, k=rng.randint(8, 30))) + "。"
    return " ".join(rng.choices(words, cum_weights=cumulative, k=rng.randint(20, 120)))


def database_url() -> str:
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        return ""
    import psycopg

    admin = urlunsplit(urlsplit(base)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{SCRATCH}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{SCRATCH}"')
    return urlunsplit(urlsplit(base)._replace(path=f"/{SCRATCH}"))


def drop(url: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{SCRATCH}" WITH (FORCE)')


def fill(messages: int, per_conversation: int, seed: int):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from chatapp.models import Conversation, Message

    rng = random.Random(seed)
    words = vocabulary(5000, rng)
    cumulative = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(words))))
    owner = get_user_model().objects.create_user(email="bench@example.com", password=None)
    start = timezone.now() - timedelta(days=365)
    batch: list[Message] = []
    for c in range((messages + per_conversation - 1) // per_conversation):
        at = start + timedelta(minutes=10 * c)
        conversation = Conversation.objects.create(
            owner=owner, title=" ".join(rng.choices(words[:500], k=3)), updated_at=at
        )
        for n in range(min(per_conversation, messages - c * per_conversation)):
            role = "user" if n % 2 == 0 else "assistant"
            batch.append(Message(id=uuid.uuid4(), conversation=conversation, role=role,
                                 text=text(rng, words, cumulative), created_at=at))  # fmt: skip
        if len(batch) >= 5000:
            Message.objects.bulk_create(batch)
            batch.clear()
    Message.objects.bulk_create(batch)
    return owner, words


def queries(words: list[str]) -> dict[str, list[str]]:
    return {
        "common word": [words[r] for r in (0, 2, 5, 9)],
        "medium word": [words[r] for r in (100, 150, 200, 300)],
        "rare word": [words[r] for r in (2000, 3000, 4000, 4900)],
        "two words": [f"{words[3]} {words[120]}", f"{words[50]} {words[800]}"],
        "prefix while typing": [words[40][:3], words[700][:4]],
        "CJK word": ["搜索", "数据的模型", "学习"],
        "short word": ["ka", "lo"],
        "miss": ["zzzqqq", "不存在的词"],
    }


def measure(owner, plan: dict[str, list[str]], rounds: int) -> dict[str, list[float]]:
    from chatapp.search import service

    timings: dict[str, list[float]] = {kind: [] for kind in plan}
    for texts in plan.values():  # warm caches once, as a running server would be
        for query in texts:
            service.search(owner, query)
    for _ in range(rounds):
        for kind, texts in plan.items():
            for query in texts:
                started = time.perf_counter()
                service.search(owner, query)
                timings[kind].append((time.perf_counter() - started) * 1000)
    return timings


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.search")
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--per-conversation", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args(argv)

    url = database_url()
    if url:
        os.environ["DATABASE_URL"] = url
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ["PARLEY_DATA_DIR"] = tempfile.mkdtemp(prefix="parley-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chatapp.settings")
    share_secrets()
    import django
    from django.core.management import call_command
    from django.db import connection

    django.setup()
    from chatapp.search import indexing

    try:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        call_command("migrate", "search", "zero", verbosity=0)  # faster to index once, after
        owner, words = fill(args.messages, args.per_conversation, args.seed)
        call_command("migrate", verbosity=0)
        indexing.reindex(owner)  # feeds the SQLite FTS table; PostgreSQL indexes itself
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        print(f"search bench: {args.messages} messages for one user on {connection.vendor}"
              f" (filled in {time.perf_counter() - started:.0f}s)")  # fmt: skip
        timings = measure(owner, queries(words), args.rounds)
    finally:
        if url and not args.keep:
            drop(url)
    every = [t for values in timings.values() for t in values]
    for kind, values in timings.items():
        print(f"  {kind:<20} p50 {statistics.median(values):7.1f} ms   p95 {p95(values):7.1f} ms"
              f"   max {max(values):7.1f} ms")  # fmt: skip
    overall = p95(every)
    verdict = "met" if overall < TARGET_P95_MS else "NOT met"
    print(f"  {'all queries':<20} p50 {statistics.median(every):7.1f} ms   p95 {overall:7.1f} ms"
          f"   (target p95 < {TARGET_P95_MS:.0f} ms on PostgreSQL: {verdict})")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
