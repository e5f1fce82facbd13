#!/bin/sh
# One entrypoint for every Parley container; MODE chooses the process.
#   MODE=api     migrations (unless MIGRATION_ENABLED=false), then daphne on HOST:PORT
#   MODE=worker  the Celery worker (titles, moderation, search indexing, e-mail)
#   MODE=beat    the Celery beat scheduler (periodic clean-up)
set -eu

MODE="${MODE:-api}"
PYTHON="${PYTHON:-python}"
CELERY="${CELERY:-celery}"

case "$(printf '%s' "${MIGRATION_ENABLED:-true}" | tr '[:upper:]' '[:lower:]')" in
  true|1|yes|on) migrate=1 ;;
  false|0|no|off) migrate=0 ;;
  *) echo "entrypoint: MIGRATION_ENABLED='${MIGRATION_ENABLED}' is invalid: expected true or false" >&2; exit 2 ;;
esac

case "$MODE" in
  api)
    if [ "$migrate" = 1 ]; then
      "$PYTHON" manage.py migrate --noinput
    fi
    exec "$PYTHON" manage.py serve
    ;;
  worker)
    exec "$CELERY" -A chatapp worker --loglevel="${LOG_LEVEL:-info}" \
      --concurrency="${CELERY_WORKER_AMOUNT:-2}"
    ;;
  beat)
    exec "$CELERY" -A chatapp beat --loglevel="${LOG_LEVEL:-info}" \
      --schedule="${PARLEY_DATA_DIR:-/app/data}/celerybeat-schedule"
    ;;
  *)
    echo "entrypoint: MODE='$MODE' is invalid: expected api, worker or beat" >&2
    exit 2
    ;;
esac
