"""The data directory is private to the user Parley runs as.

It holds the SQLite database, the generated secrets, the debug log and uploaded
files: directories are 0700 and files 0600. `make_private` sets the process's
umask, so whatever Parley creates later is private too (SQLite's -wal and -shm
files take the database file's mode, rotated logs keep theirs), and tightens
what an earlier version left readable.
"""

from __future__ import annotations

import os
from pathlib import Path

DIRECTORY_MODE = 0o700
FILE_MODE = 0o600


def make_private(data_dir: Path, database: Path | None) -> None:
    """Private from now on (umask 077), and the known paths made private if they exist."""
    os.umask(0o777 & ~DIRECTORY_MODE)
    data_dir.mkdir(mode=DIRECTORY_MODE, parents=True, exist_ok=True)
    for directory in (data_dir, data_dir / "logs"):
        if directory.is_dir():
            directory.chmod(DIRECTORY_MODE)
    files = [data_dir / "secrets.json", *(data_dir / "logs").glob("debug.log*")]
    if database is not None:
        files += [database, *(Path(f"{database}{suffix}") for suffix in ("-wal", "-shm"))]
    for path in files:
        if path.is_file():
            path.chmod(FILE_MODE)
