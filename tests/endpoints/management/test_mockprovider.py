"""`manage.py mockprovider` serves the mock on the port asked for (0: any free one)."""

import subprocess
import sys
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[3]


def test_serves_with_the_given_behaviour():
    command = [sys.executable, "manage.py", "mockprovider", "--port", "0", "--reply-tokens", "3"]
    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        assert line.startswith("mock provider on http://127.0.0.1:")
        url = line.split(" on ")[1].strip()
        body = {"model": "m", "messages": [{"role": "user", "content": "alpha beta"}]}
        reply = httpx.post(f"{url}/v1/chat/completions", json=body, timeout=10).json()
        assert reply["choices"][0]["message"]["content"] == "alpha beta alpha"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_fails_by_key_as_asked():
    command = [sys.executable, "manage.py", "mockprovider", "--port", "0"]
    command += ["--fail-key", "sk-bad=401", "--fail-key", "sk-slow=500"]
    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        url = server.stdout.readline().split(" on ")[1].strip()
        body = {"model": "m", "messages": [{"role": "user", "content": "alpha"}]}

        def status(key: str) -> int:
            headers = {"authorization": f"Bearer {key}"}
            return httpx.post(
                f"{url}/v1/chat/completions", json=body, headers=headers, timeout=10
            ).status_code

        assert [status("sk-bad"), status("sk-slow"), status("sk-good")] == [401, 500, 200]
    finally:
        server.terminate()
        server.wait(timeout=10)
