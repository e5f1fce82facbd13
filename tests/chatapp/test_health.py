import pytest
from django.test import override_settings

from chatapp import health


@pytest.mark.django_db
@pytest.mark.modes
def test_health_reports_every_dependency(client):
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body) == {
        "status", "database", "cache", "channel_layer", "broker", "search", "mcp"
    }  # fmt: skip
    assert all(body[name].startswith("ok") for name in ("database", "cache", "channel_layer"))


@pytest.mark.django_db
def test_health_names_the_failed_dependency(client):
    with override_settings(
        CACHES={
            "default": {
                "BACKEND": "django_redis.cache.RedisCache",
                "LOCATION": "redis://127.0.0.1:1/0",
                "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1},
            }
        }
    ):
        response = client.get("/health")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error" and body["failed"] == ["cache"]
    assert body["cache"].startswith("error:")
    assert body["database"].startswith("ok")


def test_run_checks_keeps_going_after_a_failure():
    def down() -> str:
        raise ConnectionError("refused")

    healthy, report = health.run_checks({"a": down, "b": lambda: "fine"})
    assert healthy is False
    assert report == {"a": "error: ConnectionError: refused", "b": "ok (fine)"}


@pytest.mark.django_db
def test_health_against_real_redis(redis_uri, redis_prefix, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": redis_uri,
            "KEY_PREFIX": redis_prefix,
        }
    }
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [redis_uri], "prefix": redis_prefix},
        }
    }
    settings.REDIS_URI = redis_uri
    settings.CELERY_TASK_ALWAYS_EAGER = False
    from chatapp.celery import app

    app.conf.broker_url = redis_uri
    try:
        healthy, report = health.run_checks()
    finally:
        app.conf.broker_url = None
    assert healthy, report
    assert report["cache"] == "ok (redis)"
    assert report["channel_layer"] == "ok (redis)"
    assert report["broker"] == "ok (redis)"


@pytest.mark.django_db
def test_broker_down_is_reported(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    from chatapp.celery import app

    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        healthy, report = health.run_checks({"broker": health.check_broker})
    finally:
        app.conf.broker_url = None
    assert not healthy and report["broker"].startswith("error:")


@pytest.mark.django_db
def test_an_unreachable_search_index_is_reported_not_failed(client, settings):
    settings.SEARCH, settings.MEILI_MASTER_KEY = True, "a-master-key-of-16+"
    settings.MEILI_HOST = "http://127.0.0.1:1"
    body = client.get("/health").json()
    assert body["status"] == "ok"
    assert body["search"].startswith("ok (") and "fallback: Meilisearch" in body["search"]


@pytest.mark.django_db
def test_a_down_mcp_server_shows_in_health_without_failing_it(client, mcp_yaml):
    from endpoints import mcpservers
    from endpoints.mcpclient.manager import manager
    from tests.endpoints.mcpclient.conftest import wait_for

    mcp_yaml({"broken": {"command": "/nonexistent/mcp-server"}})
    manager().start(mcpservers.current())
    wait_for(lambda: manager().app_status["broken"].state == "down")
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["mcp"].startswith("ok (broken down (the command was not found")
