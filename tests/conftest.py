"""Shared fixtures: users, and the real services some tests need.

A test that needs Redis or PostgreSQL asks for `redis_uri` / `postgres_url`.
When the service is not configured it is skipped, unless REQUIRE_SERVICES=1
(CI), where a missing service fails the test instead.
"""

from __future__ import annotations

import os
import threading
import uuid
import weakref

import pytest


def require_service(name: str, reason: str) -> None:
    if os.environ.get("REQUIRE_SERVICES", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{name} is required (REQUIRE_SERVICES=1) but {reason}")
    pytest.skip(f"{name}: {reason}")


@pytest.fixture(autouse=True)
def english_by_default():
    """Every test starts in English: LocaleMiddleware leaves a request's language
    active in the thread that served it, and the test client serves in ours."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def no_local_ollama(settings):
    """A test's configuration is what it writes: an Ollama server on the developer's machine
    is never offered (tests/endpoints/test_local.py points OLLAMA_BASE_URL at the mock)."""
    settings.OLLAMA_BASE_URL = ""


_opened: dict[int, object] = {}  # the Django connection wrappers the tests' threads opened


@pytest.fixture(autouse=True)
def pooled_connections_back():
    """With psycopg's pool (`DATABASE_POOL_SIZE`), a pooled connection a test's thread left
    open is handed back when the test ends. An async test's `sync_to_async` code and Django's
    async ORM run on asgiref's thread, whose connection wrapper lives in the test's context:
    no request ends there to close it, and once that context is gone the wrapper is dropped
    with its connection checked out, lost to the pool for good (the pool of 8 ran dry in
    tests/chatapp/engine). Production code closes its own (channels' `database_sync_to_async`,
    `chatapp.conf.dbthreads`, the end of each request). The main thread's stays: it holds the
    test's transaction."""
    yield
    main = threading.main_thread().ident
    for key, wrapper in list(_opened.items()):
        if wrapper.connection is None:
            del _opened[key]
        elif getattr(wrapper, "pool", None) is not None and wrapper._thread_ident != main:
            wrapper.inc_thread_sharing()  # closed from this thread, its owner idle
            try:
                wrapper.close()
            finally:
                wrapper.dec_thread_sharing()
            del _opened[key]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """pytest-django's, closing first every database connection the tests' threads left
    open (an async test's database thread keeps its own, CONN_MAX_AGE being 60 s): the test
    database cannot be dropped while one is open, and the session's last test (often
    tests/test_layers.py) got that error. Closed through the driver, as the thread-local
    Django wrapper of another thread cannot be reached."""
    from django.db.backends.signals import connection_created

    opened = weakref.WeakSet()

    def track(sender, connection, **kwargs) -> None:
        opened.add(connection)
        if getattr(connection, "pool", None) is not None:  # held: not dropped with one out
            _opened[id(connection)] = connection

    connection_created.connect(track, weak=False)
    yield
    connection_created.disconnect(track)
    for wrapper in list(opened):
        if wrapper.connection is not None:
            wrapper.connection.close()


@pytest.fixture
def redis_uri() -> str:
    """A reachable Redis URI from REDIS_URI."""
    import redis

    uri = os.environ.get("REDIS_URI")
    if not uri:
        require_service("Redis", "REDIS_URI is not set")
    try:
        redis.Redis.from_url(uri, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        require_service("Redis", f"{uri} is unreachable: {error}")
    return uri


@pytest.fixture
def redis_prefix() -> str:
    """A key prefix no other test run shares."""
    return f"parley-test-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user(email="alice@example.com", password="pw-alice-1")


@pytest.fixture
def stranger(django_user_model):
    return django_user_model.objects.create_user(email="mallory@example.com", password="pw-mal-1")


@pytest.fixture
def scratch_postgres_url():
    """A fresh, empty PostgreSQL database on the server DATABASE_URL names; dropped after."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        require_service("PostgreSQL", "DATABASE_URL does not name a PostgreSQL server")
    name = f"parley_scratch_{uuid.uuid4().hex[:10]}"
    admin = urlunsplit(urlsplit(base)._replace(path="/postgres"))
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        require_service("PostgreSQL", f"{base} is unreachable: {error}")
    yield urlunsplit(urlsplit(base)._replace(path=f"/{name}"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def _mock_provider_server():
    from endpoints.mock import MockProvider

    server = MockProvider().start()
    yield server
    server.stop()


@pytest.fixture
def mock_provider(_mock_provider_server):
    """The mock LLM provider on 127.0.0.1 (ephemeral port), fresh behaviour and log per test.

    `.url`/`.openai_url`, `.behaviour` (ttft_ms, tokens_per_second, reply_tokens, ...),
    `.fail("429", count=1)`, `.requests` / `.last_request`. See docs/mock-provider.md.
    """
    _mock_provider_server.reset()
    yield _mock_provider_server
    _mock_provider_server.reset()


def database_url_of_test_db() -> str:
    """A URL for the database the tests use, for processes the tests start (PostgreSQL only)."""
    from django.db import connection

    db = connection.settings_dict
    if not db["ENGINE"].endswith("postgresql"):
        require_service("PostgreSQL", "other processes cannot share an SQLite test database")
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class CeleryWorker:
    """`celery -A chatapp worker` in a subprocess with its own Redis key prefix."""

    def __init__(self, env: dict[str, str], prefix: str) -> None:
        import subprocess
        import sys
        import threading
        from pathlib import Path

        self.prefix = prefix
        self.output: list[str] = []
        self._ready = threading.Event()
        command = [sys.executable, "-m", "celery", "-A", "chatapp", "worker", "-l", "info"]
        command += ["--pool=threads", "--concurrency=4", "-n", f"{prefix}@%h"]
        command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
        self.process = subprocess.Popen(
            command,
            cwd=Path(__file__).resolve().parents[1],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._drain, daemon=True).start()
        if not self._ready.wait(60):
            self.stop()
            raise RuntimeError("the Celery worker did not start:\n" + "".join(self.output))

    def _drain(self) -> None:
        for line in self.process.stdout:
            self.output.append(line)
            if " ready." in line:
                self._ready.set()

    def log(self) -> str:
        return "".join(self.output)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(15)
        except Exception:
            self.process.kill()


@pytest.fixture(scope="module")
def shared_database_url(django_db_setup, django_db_blocker) -> str:
    """The test database's URL, for worker and web processes the tests start (PostgreSQL)."""
    with django_db_blocker.unblock():
        return database_url_of_test_db()


@pytest.fixture(scope="module")
def celery_worker_env(shared_database_url, tmp_path_factory):
    """Environment for a worker process: the test database, Redis, a fresh prefix and data dir.

    Tests add CONFIG_PATH etc. and start it with `start_celery_worker`.
    """
    uri = os.environ.get("REDIS_URI")
    if not uri:
        require_service("Redis", "REDIS_URI is not set")
    database = shared_database_url
    keep = ("PATH", "HOME", "LANG", "TIKTOKEN_CACHE_DIR", "SECRET_KEY", "CREDS_KEY", "CREDS_IV")
    env = {k: v for k, v in os.environ.items() if k in keep}
    prefix = f"parley-test-{uuid.uuid4().hex[:8]}"
    env.update(
        DJANGO_SETTINGS_MODULE="chatapp.settings",
        DATABASE_URL=database,
        REDIS_URI=uri,
        REDIS_KEY_PREFIX=prefix,
        PARLEY_DATA_DIR=str(tmp_path_factory.mktemp("worker-data")),
        DEBUG_LOGGING="false",
    )
    return env


@pytest.fixture
def celery_app_for(settings):
    """Point this process's task sending, results and channel layer at a worker's prefix."""
    from celery import Celery
    from channels.layers import channel_layers

    from chatapp import tasks  # noqa: F401  (registers the shared tasks before finalising)
    from chatapp.celery import app as default_app

    apps = []

    def use(worker: CeleryWorker) -> Celery:
        uri = os.environ["REDIS_URI"]
        app = Celery("parley-tests", broker=uri, backend=uri, set_as_current=False)
        app.conf.update(
            broker_transport_options={"global_keyprefix": f"{worker.prefix}:celery:"},
            result_backend_transport_options={"global_keyprefix": f"{worker.prefix}:results:"},
            task_ignore_result=True,
        )
        app.set_current()
        app.set_default()
        apps.append(app)
        settings.CELERY_TASK_ALWAYS_EAGER = False
        settings.CHANNEL_LAYERS = {
            "default": {
                # The same layer as production, so this process hears what the worker publishes.
                "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                "CONFIG": {"hosts": [uri], "prefix": f"{worker.prefix}:asgi"},
            }
        }
        channel_layers.backends.clear()
        return app

    yield use
    for app in apps:
        app.close()
    default_app.set_current()
    default_app.set_default()
    channel_layers.backends.clear()


@pytest.fixture(scope="module")
def start_celery_worker(celery_worker_env):
    """Start real workers (stopped after the module): `start_celery_worker(CONFIG_PATH=...)`."""
    started: list[CeleryWorker] = []

    def start(**extra_env: str) -> CeleryWorker:
        env = {**celery_worker_env, **extra_env}
        started.append(CeleryWorker(env, celery_worker_env["REDIS_KEY_PREFIX"]))
        return started[-1]

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def mcp_yaml(tmp_path, settings):
    """Write a librechat.yaml with these mcpServers (and mcpSettings) and make it current;
    every MCP connection of the process is closed afterwards."""
    import yaml

    from endpoints.config import current
    from endpoints.mcpclient.manager import manager

    def write(servers: dict, mcp_settings: dict | None = None, **sections) -> None:
        data = {"version": "1.3.14", "mcpServers": servers, **sections}
        if mcp_settings:
            data["mcpSettings"] = mcp_settings
        path = tmp_path / "librechat.yaml"
        path.write_text(yaml.safe_dump(data))
        settings.CONFIG_PATH, settings.ENV = str(path), {}
        current.cache_clear()

    yield write
    manager().run(manager().close_all(), timeout=60)
    current.cache_clear()
