# syntax=docker/dockerfile:1
# Parley: a Node stage builds the static bundle, a builder stage the Python
# environment, and a slim runtime runs as a non-root user.

FROM node:20-bookworm-slim AS static
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY static/src static/src
RUN npm run build

FROM python:3.11-slim-bookworm AS builder
ENV UV_PROJECT_ENVIRONMENT=/opt/venv UV_PYTHON_DOWNLOADS=never UV_COMPILE_BYTECODE=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential libldap2-dev libsasl2-dev \
 && rm -rf /var/lib/apt/lists/* \
 && pip install --no-cache-dir uv==0.13.8
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --extra ldap --extra sentry

FROM python:3.11-slim-bookworm AS runtime
ARG UID=1000
ARG GID=1000
RUN apt-get update \
 && apt-get install -y --no-install-recommends libldap-2.5-0 libsasl2-2 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid "${GID}" parley \
 && useradd --uid "${UID}" --gid "${GID}" --create-home --shell /usr/sbin/nologin parley
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    HOST=0.0.0.0 \
    PORT=3080 \
    PARLEY_DATA_DIR=/app/data \
    MODE=api \
    MIGRATION_ENABLED=true
WORKDIR /app
COPY --from=builder /opt/venv /opt/venv
COPY --chown=parley:parley . .
COPY --from=static --chown=parley:parley /build/static/dist static/dist
# Placeholder secrets exist only for this one command; the real ones come at run time.
RUN SECRET_KEY=build CREDS_KEY=$(printf '0%.0s' $(seq 64)) CREDS_IV=$(printf '0%.0s' $(seq 32)) \
    DEBUG_LOGGING=false PARLEY_DATA_DIR=/tmp/build-data \
    python manage.py collectstatic --noinput -v 0 \
 && mkdir -p /app/data && mv /tmp/build-data/staticfiles /app/data/staticfiles \
 && rm -rf /tmp/build-data && chown -R parley:parley /app/data
USER parley
EXPOSE 3080
VOLUME ["/app/data"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD python -c "import os,urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\",\"3080\")}/health', timeout=4)" || exit 1
ENTRYPOINT ["/app/docker/entrypoint.sh"]
