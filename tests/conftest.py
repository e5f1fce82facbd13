"""Shared fixtures: users, and the real services some tests need.

A test that needs Redis or PostgreSQL asks for `redis_uri` / `postgres_url`.
When the service is not configured it is skipped, unless REQUIRE_SERVICES=1
(CI), where a missing service fails the test instead.
"""

from __future__ import annotations

import os
import uuid

import pytest


def require_service(name: str, reason: str) -> None:
    if os.environ.get("REQUIRE_SERVICES", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{name} is required (REQUIRE_SERVICES=1) but {reason}")
    pytest.skip(f"{name}: {reason}")


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
