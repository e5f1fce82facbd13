"""bench/import_librechat.py's dump is one LibreChat would write: every document imports
(figures in docs/migrating-from-librechat.md)."""

import pytest

from bench.import_librechat import write_dump
from chatapp.importer.run import Options
from chatapp.importer.steps import execute

pytestmark = pytest.mark.django_db


def test_the_generated_dump_imports_whole(tmp_path):
    write_dump(tmp_path / "dump", messages=400, per_conversation=50, users=4)
    report = execute(Options(directory=tmp_path / "dump"))
    counts = {name: (t.imported, sum(t.skipped.values())) for name, t in report.collections.items()}
    assert counts == {
        "users": (4, 0),
        "conversationtags": (8, 0),
        "conversations": (8, 0),
        "conversation tags": (10, 0),  # none, one, both, both: again for the second four
        "messages": (400, 0),
        "transactions": (200, 0),
    }
