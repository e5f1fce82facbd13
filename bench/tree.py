"""The conversation tree's walks with many siblings (issue 14: 5,000 siblings took over 30 s).

    python -m bench.tree                      # 5,000, 10,000 and 20,000 siblings
    python -m bench.tree --siblings 50000

Runs on a temporary SQLite file (the embedded default). For each size, one question gets
that many regenerated answers, then each walk is timed once the rows are loaded: the API's
tree (`conversations.tree`, its query included), the page's shown branch
(`branches.visible`), the provider's branch (`branches.path_to`) and `branches.branch`.
A linear walk doubles when the siblings double; the quadratic one grew fourfold.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import timedelta


def fill(siblings: int):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from chatapp.models import Conversation, Message

    owner, _ = get_user_model().objects.get_or_create(email="bench-tree@example.invalid")
    conversation = Conversation.objects.create(owner=owner, title=f"{siblings} siblings")
    question = Message.objects.create(conversation=conversation, role="user", text="q")
    start = timezone.now()
    Message.objects.bulk_create(
        (
            Message(conversation=conversation, parent=question, role="assistant", text=f"a{n}",
                    created_at=start + timedelta(milliseconds=n + 1))
            for n in range(siblings)
        ),
        batch_size=2_000,
    )  # fmt: skip
    return conversation


def timed(walk) -> float:
    started = time.perf_counter()
    walk()
    return (time.perf_counter() - started) * 1000


def measure(siblings: int) -> dict[str, float]:
    from chatapp import branches, conversations

    conversation = fill(siblings)
    messages = list(conversation.messages.all())
    middle = messages[siblings // 2]
    return {
        "tree (API, with query)": timed(lambda: conversations.tree(conversation)),
        "visible (page)": timed(lambda: branches.visible(messages, middle.id)),
        "path_to (provider)": timed(lambda: branches.path_to(messages, middle.id)),
        "branch (share, fork)": timed(lambda: branches.branch(conversation, middle)),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.tree")
    parser.add_argument("--siblings", type=int, nargs="*", default=[5_000, 10_000, 20_000])
    args = parser.parse_args(argv)
    os.environ.pop("DATABASE_URL", None)
    os.environ["PARLEY_DATA_DIR"] = tempfile.mkdtemp(prefix="parley-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chatapp.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    results = {count: measure(count) for count in args.siblings}
    print("tree bench: one question with N regenerated answers, SQLite; ms per walk")
    print(f"  {'walk':<24}" + "".join(f"{f'N={count:,}':>12}" for count in results))
    for walk in next(iter(results.values())):
        print(f"  {walk:<24}" + "".join(f"{results[c][walk]:12.1f}" for c in results))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
