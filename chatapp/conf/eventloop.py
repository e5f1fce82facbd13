"""The web process's event loop: asyncio's own, or uvloop (PARLEY_EVENT_LOOP).

daphne makes its loop when `daphne.server` is imported, which Django's app
loading does; so the choice is made in manage.py, before the settings and the
apps, for `manage.py serve` only. Twisted's asyncio reactor runs on uvloop's
loop unchanged (it uses only the loop's reader, writer and timer calls).
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import environ

CHOICES = ("asyncio", "uvloop")
ENV_FILE = Path(__file__).resolve().parents[2] / ".env"


def choose() -> str:
    """Install the loop PARLEY_EVENT_LOOP names (environment, then .env); return its name."""
    environ.Env.read_env(ENV_FILE, overwrite=False)  # as the settings will
    choice = os.environ.get("PARLEY_EVENT_LOOP", "").strip().lower() or "asyncio"
    if choice not in CHOICES:
        # Before the settings: their EnvError cannot be raised yet, so say it plainly.
        raise SystemExit(f"PARLEY_EVENT_LOOP={choice!r} is invalid: expected one of {CHOICES}")
    if choice == "uvloop":
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    return choice
