"""The Docker files' structure (no Docker engine here) and the entrypoint on its own."""

import os
import re
import stat
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"


def dockerfile_stages() -> dict[str, list[str]]:
    stages: dict[str, list[str]] = {}
    current = None
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        match = re.match(r"FROM\s+(\S+)\s+AS\s+(\w+)", line)
        if match:
            current = match.group(2)
            stages[current] = [line]
        elif current:
            stages[current].append(line)
    return stages


def test_dockerfile_is_multi_stage_with_node_build_and_slim_runtime():
    stages = dockerfile_stages()
    assert list(stages) == ["static", "builder", "runtime"]
    assert stages["static"][0].startswith("FROM node:20")
    assert "RUN npm run build" in stages["static"]
    assert "slim" in stages["runtime"][0]
    runtime = "\n".join(stages["runtime"])
    assert "COPY --from=static" in runtime and "COPY --from=builder /opt/venv" in runtime


def test_dockerfile_runs_as_non_root_with_uid_gid_args_and_healthcheck():
    runtime = "\n".join(dockerfile_stages()["runtime"])
    assert "ARG UID=1000" in runtime and "ARG GID=1000" in runtime
    assert re.search(r"^USER parley$", runtime, re.M)
    assert re.search(r"^HEALTHCHECK .*\n.*/health", runtime, re.M)
    assert 'ENTRYPOINT ["/app/docker/entrypoint.sh"]' in runtime
    assert "uv sync --frozen --no-dev" in "\n".join(dockerfile_stages()["builder"])


def test_compose_has_the_six_services_wired_by_health():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"web", "worker", "beat", "redis", "postgres", "meilisearch"}
    for name in ("web", "worker", "beat"):
        service = services[name]
        assert service["env_file"] == ".env"
        for dependency in ("postgres", "redis", "meilisearch"):
            assert service["depends_on"][dependency] == {"condition": "service_healthy"}
        assert service["environment"]["REDIS_URI"] == "redis://redis:6379/0"
        assert service["environment"]["DATABASE_URL"].startswith("postgres://")
        # psycopg's pool: without it each HTTP request opens a connection of its own
        assert service["environment"]["DATABASE_POOL_SIZE"] == "${DATABASE_POOL_SIZE:-8}"
    assert services["web"]["environment"]["MODE"] == "api"
    assert services["worker"]["environment"]["MODE"] == "worker"
    assert services["beat"]["environment"]["MODE"] == "beat"
    assert services["meilisearch"]["environment"]["MEILI_NO_ANALYTICS"].startswith("${")
    for name, service in services.items():
        assert "healthcheck" in service, name
    assert set(compose["volumes"]) == {"parley-data", "redis-data", "postgres-data", "meili-data"}
    assert "parley-data:/app/data" in services["web"]["volumes"]


@pytest.fixture
def shims(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """`python` and `celery` stand-ins that log their arguments, on PATH."""
    log = tmp_path / "calls.log"
    for name in ("python", "celery"):
        shim = tmp_path / name
        shim.write_text(f'#!/bin/sh\necho "{name} $*" >> "{log}"\n')
        shim.chmod(shim.stat().st_mode | stat.S_IEXEC)
    env = {"PATH": f"{tmp_path}:{os.environ['PATH']}", "HOME": str(tmp_path)}
    return env, log


def run_entrypoint(env: dict[str, str], **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ENTRYPOINT)], env={**env, **extra}, capture_output=True, text=True, timeout=20
    )


def test_entrypoint_api_migrates_then_serves(shims):
    env, log = shims
    assert run_entrypoint(env, MODE="api").returncode == 0
    assert log.read_text().splitlines() == [
        "python manage.py migrate --noinput",
        "python manage.py serve",
    ]


def test_entrypoint_api_without_migrations(shims):
    env, log = shims
    assert run_entrypoint(env, MODE="api", MIGRATION_ENABLED="False").returncode == 0
    assert log.read_text().splitlines() == ["python manage.py serve"]


def test_entrypoint_worker_and_beat(shims):
    env, log = shims
    run_entrypoint(env, MODE="worker", CELERY_WORKER_AMOUNT="3", LOG_LEVEL="warning")
    run_entrypoint(env, MODE="beat", PARLEY_DATA_DIR="/data")
    assert log.read_text().splitlines() == [
        "celery -A chatapp worker --loglevel=warning --concurrency=3",
        "celery -A chatapp beat --loglevel=info --schedule=/data/celerybeat-schedule",
    ]


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"MODE": "web"}, "entrypoint: MODE='web' is invalid: expected api, worker or beat"),
        ({"MIGRATION_ENABLED": "maybe"}, "entrypoint: MIGRATION_ENABLED='maybe' is invalid"),
    ],
)
def test_entrypoint_rejects_bad_values_with_one_line(shims, variables, message):
    env, log = shims
    result = run_entrypoint(env, **variables)
    assert result.returncode == 2
    assert result.stderr.strip().startswith(message)
    assert len(result.stderr.strip().splitlines()) == 1
    assert not log.exists()
