"""A real Parley web process for tests: daphne as `manage.py serve` runs it
(chatapp/serving.py), on `chatapp.asgi:application`.

It listens on an ephemeral loopback port, shares the test's database and
Redis through the environment it is given, and keeps its output (read on a
thread, so a chatty process never blocks on a full pipe) for failure messages.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# daphne's command line with chatapp/serving.py's server; Django first, as manage.py does.
SERVE = (
    "import os, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'chatapp.settings'); "
    "django.setup(); "
    "from chatapp.serving import BoundedCommandLineInterface as cli; cli.entrypoint()"
)
LISTENING = re.compile(r"Listening on TCP address 127\.0\.0\.1:(\d+)")


class WebProcess:
    def __init__(self, env: dict[str, str], seconds: float = 60) -> None:
        self.port = 0
        self.output: list[str] = []
        self._ready = threading.Event()  # listening, or exited
        self.process = subprocess.Popen(
            [sys.executable, "-c", SERVE, "-e", "tcp:port=0:interface=127.0.0.1",
             "chatapp.asgi:application"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        threading.Thread(target=self._drain, daemon=True).start()
        if not self._ready.wait(seconds) or not self.port:
            self.stop()
            raise AssertionError(f"web process did not start:\n{self.log()}")

    def _drain(self) -> None:
        for line in self.process.stdout:
            self.output.append(line)
            if not self.port and (match := LISTENING.search(line)):
                self.port = int(match.group(1))
                self._ready.set()
        self._ready.set()

    def log(self) -> str:
        return "".join(self.output)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
