"""GET /metrics: who may read it, and the figures a real turn moves."""

from __future__ import annotations

import pytest
from django.db import connection
from prometheus_client import REGISTRY
from psycopg_pool import ConnectionPool

from chatapp import metrics
from chatapp.conf import dbthreads
from endpoints.mock.behaviour import Failure
from tests.chatapp.conftest import connect, frames_until, send_frame, settle


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.mark.django_db
def test_only_staff_or_the_scraper_token_reads_the_figures(
    client, user, django_user_model, settings
):
    settings.METRICS_TOKEN = "scrape-me"
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    client.force_login(user)
    assert client.get("/metrics").status_code == 404

    scraped = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-me")
    assert scraped.status_code == 200
    assert scraped["Content-Type"].startswith("text/plain")
    assert b"parley_active_streams" in scraped.content

    admin = django_user_model.objects.create_superuser(email="root@example.com", password="pw")
    client.force_login(admin)
    assert client.get("/metrics").status_code == 200


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="psycopg's pool is PostgreSQL's")
def test_the_connection_pools_figures():
    pool = ConnectionPool(kwargs=connection.get_connection_params(), min_size=2, max_size=3)
    try:
        pool.wait()
        with pool.connection():
            metrics.record_pool(pool)
            assert sample("parley_database_pool_connections", state="size") == 2
            assert sample("parley_database_pool_connections", state="idle") == 1
            assert sample("parley_database_pool_connections", state="waiting") == 0
    finally:
        pool.close()


async def test_database_units_are_counted_while_they_run():
    seen = await dbthreads.run(lambda: sample("parley_database_units"))
    assert seen == 1
    assert sample("parley_database_units") == 0


def test_no_token_configured_lets_no_bearer_in():
    assert not metrics.may_read("", "Bearer ", is_staff=False)
    assert not metrics.may_read("", "Bearer anything", is_staff=False)
    assert metrics.may_read("t", "bearer t", is_staff=False)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("fresh_layer")
async def test_a_turn_moves_every_figure(user, chat_endpoint, mock_provider):
    before = {
        "turns": sample("parley_turns_total", kind="send"),
        "provider": sample("parley_time_to_provider_seconds_count"),
        "ttft": sample("parley_time_to_first_token_seconds_count"),
        "completion": sample("parley_tokens_total", kind="completion"),
        "refused": sample("parley_errors_total", stage="refused", kind="unknown_endpoint"),
        "failed": sample("parley_errors_total", stage="provider", kind="rate_limited"),
    }
    socket = await connect(user)
    await socket.send_json_to(send_frame("echo: counted"))
    final = (await frames_until(socket, "final"))[-1]["message"]
    await settle()
    assert sample("parley_turns_total", kind="send") == before["turns"] + 1
    assert sample("parley_time_to_provider_seconds_count") == before["provider"] + 1
    assert sample("parley_time_to_first_token_seconds_count") == before["ttft"] + 1
    completion = final["usage"]["completion_tokens"]
    assert sample("parley_tokens_total", kind="completion") == before["completion"] + completion
    assert sample("parley_active_streams") == 0

    await socket.send_json_to(send_frame("echo: x", endpoint="nowhere"))
    assert (await frames_until(socket, "error"))[-1]["code"] == "unknown_endpoint"
    refused = sample("parley_errors_total", stage="refused", kind="unknown_endpoint")
    assert refused == before["refused"] + 1

    mock_provider.behaviour.failure = Failure.RATE_LIMIT
    await socket.send_json_to(send_frame("echo: y"))
    assert (await frames_until(socket, "error"))[-1]["code"] == "rate_limited"
    failed = sample("parley_errors_total", stage="provider", kind="rate_limited")
    assert failed == before["failed"] + 1
    await socket.disconnect()
