"""Run every benchmark module of this package (each has a `main(argv) -> int`)."""

import importlib
import pkgutil
import sys
from pathlib import Path

status = 0
for module in pkgutil.iter_modules([str(Path(__file__).parent)]):
    if not module.name.startswith("_"):
        status |= importlib.import_module(f"bench.{module.name}").main(sys.argv[1:])
sys.exit(status)
