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
