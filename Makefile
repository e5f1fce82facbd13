# Parley's entry points. `make run` and `make test` do all set-up on a fresh machine.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv
# The packages' bytecode is written once at install, as the Docker image does: where
# PYTHONDONTWRITEBYTECODE is set (as on this machine) every process start compiled them
# again (`manage.py check`: 6.1 s, 3.0 s with it).
export UV_COMPILE_BYTECODE := 1
UV_VERSION := 0.13.8
UV := .tools/bin/uv
PY := .venv/bin/python

# Production mode (DATABASE_URL/REDIS_URI) refuses to start without the shared secrets. The
# migrations check uses none, so it runs with a throwaway set (the test run makes its own).
THROWAWAY_SECRETS = env $$($(PY) manage.py generate_secrets | grep '=')

.PHONY: run test test-deps test-embedded lint format migrations-check bench install deps static worker clean

run: install static
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) manage.py serve

test: test-deps static
	.venv/bin/ruff check --quiet .
	.venv/bin/ruff format --check --quiet .
	.venv/bin/lint-imports --no-cache
	$(THROWAWAY_SECRETS) $(PY) manage.py makemigrations --check --dry-run >/dev/null
	$(PY) -m pytest $(PYTEST_ARGS)
	@if [ -n "$$DATABASE_URL$$REDIS_URI" ]; then $(MAKE) --no-print-directory test-embedded; fi

# Real servers for the tests (slapd, an OpenID provider) and the `ldap` extra.
test-deps: $(UV)
	scripts/test-deps
	@$(UV) sync --frozen --quiet --extra ldap

# The tests whose wiring differs between modes, again on the embedded default.
test-embedded:
	env -u DATABASE_URL -u REDIS_URI -u USE_REDIS -u CELERY_BROKER_URL \
		PARLEY_DATA_DIR=$$(mktemp -d) $(PY) -m pytest -m modes $(PYTEST_ARGS)

worker: install
	.venv/bin/celery -A chatapp worker --loglevel=info

# The layer rule (pyproject.toml's importlinter contract); tests/test_layers.py keeps every
# module of chatapp in a layer and every import cycle out.
lint: install
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports --no-cache
	$(PY) -m pytest -q -p no:cacheprovider tests/test_layers.py

format: install
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

migrations-check: install
	$(THROWAWAY_SECRETS) $(PY) manage.py makemigrations --check --dry-run

# Every benchmark of bench/ (bench/README.md); one of them with its own arguments:
#   make bench BENCH=stream_load BENCH_ARGS="--only stream-n1-rate1"
# On the local PostgreSQL and Redis when DATABASE_URL and REDIS_URI are set, else embedded.
bench: install
	$(PY) -m bench$(if $(BENCH),.$(BENCH)) $(BENCH_ARGS)

install: $(UV)
	@$(UV) sync --frozen --quiet

deps: install

$(UV):
	python3 -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

static: node_modules/.package-lock.json
	@npm run --silent build >/dev/null

node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

clean:
	rm -rf .venv .tools node_modules static/dist
