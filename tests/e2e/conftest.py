"""End-to-end fixtures: a live Parley and headless Chromium.

`parley_server` runs the real thing: `manage.py serve` (daphne) in its own
process on an ephemeral loopback port, in the embedded mode (SQLite in a
temporary directory, in-process channel layer and tasks), with a librechat.yaml
whose custom endpoint "Mock" is the mock provider of tests/conftest.py.
Chromium is Debian's (`make test` installs it), driven by Playwright.
Every test signs in as its own user, and saves screenshots under
tests/e2e/artifacts/ for review. The server sends its real Content-Security-Policy, and any
violation of it (a `securitypolicyviolation` event or Chromium's console report) fails the
test, as a JavaScript error does. So `page.wait_for_function` takes a function
(`"() => ..."`): Playwright evals a bare expression again on every poll, which the policy
(no 'unsafe-eval') refuses, but compiles a function once, through DevTools.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "e2e-pass-12345"
USERS = 120  # created at start-up in one go; each test takes the next
ADMIN = "e2e-admin@example.com"  # a superuser, for the admin site
# Chromium reports a violation twice: as an event in the page and on the console.
CSP_WATCH = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolation(`${event.effectiveDirective} blocked ${event.blockedURI || "inline"}`
    + ` (${event.sourceFile || document.location.href}:${event.lineNumber})`);
});
"""


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen
    image_origin: str  # ALLOWED_IMAGE_HOSTS: the mock provider's origin
    emails: Iterator[str] = field(default_factory=lambda: iter(()))
    env: dict[str, str] = field(default_factory=dict)  # to run manage.py on its database
    log_path: Path | None = None

    def log_tail(self, lines: int = 80) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def next_email(self) -> str:
        return next(self.emails)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode}; see its log")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer in {seconds}s")


def _config(mock_url: str) -> str:
    endpoint = {
        "name": "Mock",
        "apiKey": "mock-key",
        "baseURL": mock_url,
        "models": {"default": ["mock-model", "mock-large"]},
        "modelDisplayLabel": "Mock",
        "titleConvo": True,
        "titleModel": "mock-model",
    }
    own = {  # each user brings their own key for this one
        "name": "Own key",
        "apiKey": "user_provided",
        "baseURL": mock_url,
        "models": {"default": ["mock-model"]},
    }
    specs = {  # no default and every endpoint added: a new chat still starts on "Mock"
        "addedEndpoints": ["Mock", "Own key"],
        "list": [
            {"name": "writer", "label": "Writer", "description": "Long, careful prose",
             "group": "Writing", "order": 2, "iconURL": "openAI",
             "preset": {"endpoint": "Mock", "model": "mock-large", "temperature": 0.4}},
            {"name": "quick", "label": "Quick", "description": "Short answers", "order": 1,
             "preset": {"endpoint": "Mock", "model": "mock-model"}},
        ],
    }  # fmt: skip
    return json.dumps(
        {"version": "1.2.8", "endpoints": {"custom": [endpoint, own]}, "modelSpecs": specs}
    )  # JSON is YAML


@contextmanager
def run_parley(
    mock, data: Path, users: int = USERS, config: str = "", **env_extra: str
) -> Iterator[LiveServer]:
    """Parley served by `manage.py serve` on a free loopback port, with `users` accounts
    (and the admin), `config` as librechat.yaml (else the suite's) and the environment's
    `env_extra` (e.g. a DOMAIN_CLIENT with a path)."""
    (data / "librechat.yaml").write_text(config or _config(mock.openai_url))
    port = _free_port()
    keep = ("PATH", "HOME", "LANG", "UV_PROJECT_ENVIRONMENT")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(
        PARLEY_DATA_DIR=str(data),
        CONFIG_PATH=str(data / "librechat.yaml"),
        HOST="127.0.0.1",
        PORT=str(port),
        DOMAIN_CLIENT=f"http://127.0.0.1:{port}",
        DEBUG_LOGGING="false",
        DISABLE_COMPRESSION="true",  # collectstatic without gzip/brotli: seconds, not half a minute
        ALLOWED_IMAGE_HOSTS=mock.url,
    )
    env.update(env_extra)
    manage = [sys.executable, "manage.py"]
    for command in (["migrate", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run([*manage, *command], cwd=ROOT, env=env, check=True)
    emails = [f"e2e-{n}@example.com" for n in range(users)]
    # The password hashed once for all: hashing it per account was most of the start-up.
    create = (
        "from accounts.models import User\n"
        "from django.contrib.auth.hashers import make_password\n"
        f"hashed = make_password({PASSWORD!r})\n"
        f"emails = {emails!r}\n"
        "for email in emails: User.objects.create_user(email=email)\n"
        "User.objects.filter(email__in=emails).update(password=hashed)\n"
        f"User.objects.create_superuser(email={ADMIN!r}, password={PASSWORD!r})"
    )
    subprocess.run([*manage, "shell", "-c", create], cwd=ROOT, env=env, check=True)
    log = (data / "server.log").open("w")
    # Both streams to a file: an unread pipe fills up and would freeze the server mid-test.
    process = subprocess.Popen(
        [*manage, "serve"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True
    )
    server = LiveServer(
        f"http://127.0.0.1:{port}", process, mock.url, iter(emails), env, data / "server.log"
    )
    try:
        _wait_for(f"{server.url}/health", process)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=30)  # a loaded 2-core machine took 9 s to stop one
        log.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed test's report carries the end of its live server's log: a timeout in the
    browser often has its cause there (a 500, a lock, a slow start)."""
    report = yield
    server = getattr(item, "funcargs", {}).get("parley_server")
    if report.failed and isinstance(server, LiveServer):
        report.sections.append(("parley server log (end)", server.log_tail()))
    return report


@pytest.fixture(scope="session")
def parley_server(_mock_provider_server, tmp_path_factory) -> Iterator[LiveServer]:
    data = tmp_path_factory.mktemp("e2e-server")
    # The echo tool (docs/tools.md) for tests/e2e/test_tools.py; the mock calls it only
    # when a message scripts it, so the other tests see no difference.
    with run_parley(_mock_provider_server, data, PARLEY_ECHO_TOOL="true") as server:
        yield server


# Module scope: Playwright's sync API keeps an event loop running while it is open, which
# would break the asyncio tests collected after tests/e2e/.
@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not shutil.which("chromium") and not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: `make test` installs it (scripts/test-deps).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


_counter = itertools.count()


def _is_csp_report(message) -> bool:
    return message.type == "error" and "Content Security Policy" in message.text


@contextmanager
def watched_page(browser, base_url: str, **options) -> Iterator:
    """A page in a fresh context at `base_url`; page errors and CSP violations
    (`page.csp_violations`) fail it."""
    context = browser.new_context(
        base_url=base_url, viewport={"width": 1280, "height": 820}, locale="en-US", **options
    )
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    violations: list[str] = []
    context.expose_function("__cspViolation", lambda text: violations.append(text))
    context.add_init_script(CSP_WATCH)
    page = context.new_page()
    page.set_default_timeout(60000)  # loaded machines are slow; a pass is usually seconds
    page.csp_violations = violations
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: _is_csp_report(message) and violations.append(message.text))
    yield page
    if not page.is_closed():
        page.evaluate("0")  # lets Playwright deliver the events still queued
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
    assert not violations, f"Content-Security-Policy violations: {violations}"


@pytest.fixture
def page(browser, parley_server, request):
    """A fresh browser context on the shared server (see `watched_page`)."""
    with watched_page(browser, parley_server.url) as page:
        yield page


@pytest.fixture
def signed_in(page, parley_server):
    """The page, signed in through the sign-in form as a user of its own."""
    email = parley_server.next_email()
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=composer]")
    page.email = email
    return page


def shot(page, name: str, full_page: bool = False) -> Path:
    """Save a screenshot for review (tests/e2e/artifacts/, ignored by git)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
