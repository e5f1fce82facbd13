"""Run every benchmark module of this package (each has a `main(argv) -> int`).

Each runs in a fresh interpreter: every benchmark sets Django up on settings of
its own (a scratch database, a temporary data directory).
"""

import pkgutil
import subprocess
import sys
from pathlib import Path

status = 0
for module in pkgutil.iter_modules([str(Path(__file__).parent)]):
    if not module.name.startswith("_") and not module.ispkg:  # packages hold their parts
        argv = [sys.executable, "-m", f"bench.{module.name}", *sys.argv[1:]]
        status |= subprocess.run(argv, check=False).returncode
sys.exit(status)
