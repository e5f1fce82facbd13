"""The data directory is private: 0700 directories, 0600 files, new or already there."""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
# A process on the embedded default that writes to SQLite (WAL) and to the debug log, then
# reports the modes while its database is still open (SQLite removes -wal/-shm at close).
PROBE = """
import json, logging, os, stat, django
django.setup()
from django.conf import settings
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE IF NOT EXISTS probe (x)")
    cursor.execute("INSERT INTO probe VALUES (1)")
logging.getLogger("chatapp").debug("probe")
data = settings.DATA_DIR
names = ["", "logs", "logs/debug.log", "secrets.json", "parley.sqlite3",
         "parley.sqlite3-wal", "parley.sqlite3-shm"]
print(json.dumps({n: oct(stat.S_IMODE(os.stat(data / n).st_mode)) for n in names}))
"""
PRIVATE = {
    "": "0o700",
    "logs": "0o700",
    "logs/debug.log": "0o600",
    "secrets.json": "0o600",
    "parley.sqlite3": "0o600",
    "parley.sqlite3-wal": "0o600",
    "parley.sqlite3-shm": "0o600",
}


def modes_after_start(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    env.update(DJANGO_SETTINGS_MODULE="chatapp.settings", PARLEY_DATA_DIR=str(data))
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


@pytest.mark.modes
def test_a_new_data_directory_is_private(tmp_path):
    assert modes_after_start(tmp_path / "data") == PRIVATE


@pytest.mark.modes
def test_an_existing_world_readable_data_directory_is_made_private(tmp_path):
    data = tmp_path / "data"
    (data / "logs").mkdir(parents=True)
    (data / "logs" / "debug.log").write_text("")
    (data / "parley.sqlite3").write_bytes(b"")
    (data / "secrets.json").write_text("{}")
    for path in (data, data / "logs"):
        path.chmod(0o755)
    for path in (data / "logs" / "debug.log", data / "parley.sqlite3", data / "secrets.json"):
        path.chmod(0o644)
    assert modes_after_start(data) == PRIVATE


def test_uploaded_files_are_private(settings):
    assert settings.FILE_UPLOAD_PERMISSIONS == stat.S_IRUSR | stat.S_IWUSR
    assert settings.FILE_UPLOAD_DIRECTORY_PERMISSIONS == stat.S_IRWXU
