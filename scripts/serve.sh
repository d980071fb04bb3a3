#!/usr/bin/env bash
# make serve: the production server. Debug off (unless SANGKIEN_DEBUG says otherwise, which
# the checks below refuse), the deployment checks, static files collected for whitenoise,
# migrations, then gunicorn and the background worker (sangkien worker) beside it, stopped
# together however the run ends (scripts/supervise.sh). Configured from the environment:
# SANGKIEN_BIND, SANGKIEN_PORT, SANGKIEN_WORKERS, SANGKIEN_THREADS, SANGKIEN_TIMEOUT (README).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export SANGKIEN_DEBUG=${SANGKIEN_DEBUG:-0}
export SANGKIEN_PORT=${SANGKIEN_PORT:-8000}
BIND=${SANGKIEN_BIND:-127.0.0.1}
WORKERS=${SANGKIEN_WORKERS:-$(($(nproc) * 2 + 1))}
THREADS=${SANGKIEN_THREADS:-1}
TIMEOUT=${SANGKIEN_TIMEOUT:-60}

if [ -z "${SANGKIEN_SECRET_KEY:-}" ]; then
  echo "make serve: set SANGKIEN_SECRET_KEY (a long random string, kept secret; e.g. the output of" >&2
  echo "  python3 -c 'import secrets; print(secrets.token_urlsafe(50))')." >&2
  exit 1
fi
# An unsafe configuration (debug on, emails to the console, any host accepted, a weak
# secret key, no HTTPS protection…) stops here with the checks' messages.
if ! $BIN/sangkien check --deploy --fail-level WARNING; then
  echo "make serve: the configuration above is not safe for production; nothing was started." >&2
  exit 1
fi
mkdir -p "${SANGKIEN_VAR_DIR:-var}"
$BIN/sangkien collectstatic --noinput -v 0
$BIN/sangkien migrate --noinput -v 0

SERVER=(
  $BIN/gunicorn sangkien.wsgi
  --bind "${BIND}:${SANGKIEN_PORT}"
  --workers "$WORKERS"
  --threads "$THREADS"
  --timeout "$TIMEOUT"
  --graceful-timeout "${SANGKIEN_SERVER_GRACE:-10}"
  --access-logfile -
)
if [ "${SANGKIEN_TASKS:-database}" = "immediate" ]; then
  exec "${SERVER[@]}"
fi
exec bash scripts/supervise.sh "${SERVER[@]}"
