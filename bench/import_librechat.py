"""Importing a LibreChat mongodump of 100,000 messages (target: under 60 s, under 300 MB).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python -m bench.import_librechat

Writes a dump in LibreChat's schemas with bson.encode (users with bcrypt hashes,
conversations, messages with branches in both the 0.7 text and the 0.8 content
shapes, string and Date timestamps, bookmarks, balances, transactions),
migrates a scratch database (`parley_bench_import`, dropped after; a temporary
SQLite file without DATABASE_URL), then runs `manage.py import_librechat` in a
child process and reports its wall time and peak memory (the child's max RSS),
and the same for a second run over the same dump (everything skipped).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

TARGET_SECONDS = 60.0
TARGET_MB = 300.0
SCRATCH = "parley_bench_import"
ROOT = Path(__file__).resolve().parent.parent
TAGS = ("Saved", "Work")  # every user's bookmarks; a conversation has none, one or both
WORDS = ("the model answers every question with care and some code " * 3).split()


def scratch_url() -> str:
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

    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{SCRATCH}" WITH (FORCE)')


def write_dump(directory: Path, messages: int, per_conversation: int, users: int) -> None:
    """DIR/LibreChat/*.bson; documents are encoded one at a time, as mongodump writes them."""
    import bcrypt
    import bson
    from bson import ObjectId

    rng = random.Random(7)
    database = directory / "LibreChat"
    database.mkdir(parents=True)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    hashed = bcrypt.hashpw(b"bench-password", bcrypt.gensalt(4)).decode()
    people = [ObjectId() for _ in range(users)]
    with (database / "users.bson").open("wb") as out:
        for i, pk in enumerate(people):
            out.write(bson.encode({"_id": pk, "email": f"user{i}@bench.invalid", "name": f"U{i}",
                                   "password": hashed, "provider": "local", "role": "USER",
                                   "emailVerified": True, "createdAt": start}))  # fmt: skip
    with (database / "conversationtags.bson").open("wb") as out:
        for pk in people:
            for position, tag in enumerate(TAGS):
                out.write(bson.encode({"_id": ObjectId(), "tag": tag, "user": str(pk),
                                       "position": position, "count": 0}))  # fmt: skip
    files = {name: (database / f"{name}.bson").open("wb")
             for name in ("conversations", "messages", "transactions")}  # fmt: skip
    written = 0
    try:
        while written < messages:
            owner = str(people[written // per_conversation % users])
            conversation = str(uuid.uuid4())
            at = start + timedelta(minutes=written)
            files["conversations"].write(bson.encode({
                "_id": ObjectId(), "conversationId": conversation, "user": owner,
                "title": f"Chat {written}", "endpoint": "openAI", "model": "gpt-4o",
                "temperature": 0.7, "createdAt": at, "updatedAt": at,
                "tags": list(TAGS[: written // per_conversation % 4])[:2]}))  # fmt: skip
            parent = "00000000-0000-0000-0000-000000000000"
            for n in range(min(per_conversation, messages - written)):
                message_id = str(uuid.uuid4())
                text = " ".join(rng.choices(WORDS, k=rng.randint(20, 150)))
                document = {"_id": ObjectId(), "messageId": message_id,
                            "conversationId": conversation, "user": owner,
                            "parentMessageId": parent, "isCreatedByUser": n % 2 == 0,
                            "tokenCount": len(text) // 4, "model": "gpt-4o",
                            "endpoint": "openAI", "sender": "GPT-4o"}  # fmt: skip
                if n % 3:  # 0.8: content parts and Date timestamps
                    document["content"] = [{"type": "text", "text": text}]
                    document["createdAt"] = at + timedelta(seconds=n)
                else:  # 0.7: text and ISO strings
                    document["text"] = text
                    document["createdAt"] = (at + timedelta(seconds=n)).isoformat()
                files["messages"].write(bson.encode(document))
                if n % 2:
                    files["transactions"].write(bson.encode({
                        "_id": ObjectId(), "user": ObjectId(owner), "conversationId": conversation,
                        "tokenType": "completion", "model": "gpt-4o", "context": "message",
                        "rate": 10, "rawAmount": -100, "tokenValue": -1000,
                        "createdAt": at}))  # fmt: skip
                if n % 10 != 9:  # every tenth message is a sibling (a regenerated answer)
                    parent = message_id
            written += per_conversation
    finally:
        for file in files.values():
            file.close()


def run_import(directory: Path, env: dict[str, str]) -> tuple[float, float, float, str]:
    """(wall seconds, CPU seconds, peak MB, report) of one `manage.py import_librechat`,
    in a child process of its own (wait4 gives that child's own CPU time and max RSS)."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "manage.py", "import_librechat", str(directory)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    report = child.stdout.read() if child.stdout else ""
    _pid, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"import failed ({child.returncode}):\n{report}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, report


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.import_librechat")
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--per-conversation", type=int, default=50)
    parser.add_argument("--users", type=int, default=100)
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="parley-bench-import-"))
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="chatapp.settings")
    url = scratch_url()
    if url:
        env["DATABASE_URL"] = url
    else:
        env.pop("DATABASE_URL", None)
        env["PARLEY_DATA_DIR"] = str(work / "data")
    try:
        write_dump(work / "dump", args.messages, args.per_conversation, args.users)
        migrate = [sys.executable, "manage.py", "migrate", "-v0"]
        subprocess.run(migrate, cwd=ROOT, env=env, check=True)
        vendor = "PostgreSQL" if url else "SQLite"
        size = sum(f.stat().st_size for f in (work / "dump").rglob("*.bson")) / 2**20
        print(f"import bench: {args.messages} messages, {size:.0f} MB of BSON, on {vendor}")
        load = os.getloadavg()[0]
        seconds, cpu, peak, report = run_import(work / "dump", env)
        print(report.rstrip())
        print(f"first run: {seconds:.1f} s ({cpu:.1f} s CPU), peak {peak:.0f} MB, load {load:.1f} "
              f"(targets: {TARGET_SECONDS:.0f} s, {TARGET_MB:.0f} MB)")  # fmt: skip
        again, again_cpu, again_peak, _report = run_import(work / "dump", env)
        print(f"second run (nothing new): {again:.1f} s ({again_cpu:.1f} s CPU), "
              f"peak {again_peak:.0f} MB")  # fmt: skip
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if url:
            drop(url)
    return 0 if seconds < TARGET_SECONDS and peak < TARGET_MB else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
