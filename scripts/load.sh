#!/usr/bin/env bash
# make load: the load test of docs/benchmarks.md. A fresh demo database (SQLite under
# SANGKIEN_LOAD_DIR, or the PostgreSQL database SANGKIEN_LOAD_DATABASE_URL names, whose demo
# data is replaced), the accounts the clients play (sangkien load_users), the production
# server (scripts/serve.sh, as `make serve` runs it) on loopback, then locust
# (loadtest/locustfile.py) with SANGKIEN_LOAD_USERS clients (100) for SANGKIEN_LOAD_SECONDS
# (60), the table of every kind of request (p50, p95, p99, failures), and check-stats on
# what the clients wrote. Exits non-zero when a request failed or the figures disagree.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
ROOT=$(pwd)
USERS=${SANGKIEN_LOAD_USERS:-100}
DURATION=${SANGKIEN_LOAD_SECONDS:-60}
PORT=${SANGKIEN_LOAD_PORT:-8765}
OUT=${SANGKIEN_LOAD_DIR:-var/load}
STARTED=$(date +%s%N)
step() { printf '[%5.1fs] %s\n' "$(($(date +%s%N) - STARTED))e-9" "$*"; }

rm -rf "$OUT/var" "$OUT"/locust_* "$OUT/serve.log"
mkdir -p "$OUT/var"
OUT=$(cd "$OUT" && pwd)
export SANGKIEN_VAR_DIR="$OUT/var"
unset DATABASE_URL
RESET=()
if [ -n "${SANGKIEN_LOAD_DATABASE_URL:-}" ]; then
  export DATABASE_URL=$SANGKIEN_LOAD_DATABASE_URL
  RESET=(--reset)
fi
step "Database: ${DATABASE_URL:-SQLite in $SANGKIEN_VAR_DIR}"
$BIN/sangkien migrate --noinput -v 0
step "Seeding the demo"
$BIN/sangkien seed --scale demo "${RESET[@]}"
step "Making the accounts the clients play"
$BIN/sangkien load_users "$OUT/clients.json"

# The production server as `make serve` runs it, on loopback over plain HTTP as behind a proxy
# that ends TLS (the clients send X-Forwarded-Proto: https; cookies stay Secure). Mail goes to
# a closed local port: refused at once, and sending fails silently, as when the mail server
# is down.
export SANGKIEN_SECRET_KEY=${SANGKIEN_SECRET_KEY:-$($BIN/python -c 'import secrets; print(secrets.token_urlsafe(50))')}
export SANGKIEN_ALLOWED_HOSTS=127.0.0.1 SANGKIEN_PORT=$PORT SANGKIEN_PROXY_SSL_HEADER=1
export SANGKIEN_FROM_EMAIL=${SANGKIEN_FROM_EMAIL:-sangkien@example.vn}
export SANGKIEN_EMAIL_HOST=${SANGKIEN_EMAIL_HOST:-127.0.0.1} SANGKIEN_EMAIL_PORT=${SANGKIEN_EMAIL_PORT:-9}
export SANGKIEN_STATIC_ROOT="$OUT/static"
step "Starting the production server on 127.0.0.1:$PORT (log: $OUT/serve.log)"
setsid bash scripts/serve.sh >"$OUT/serve.log" 2>&1 &
SERVER=$!
stop_server() {
  kill -TERM -- -"$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
}
trap stop_server EXIT
up=""
for _ in $(seq 1 600); do
  if curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null; then up=1; break; fi
  if ! kill -0 "$SERVER" 2>/dev/null; then break; fi
  sleep 0.5
done
if [ -z "$up" ]; then
  cat "$OUT/serve.log" >&2
  echo "The server did not answer on 127.0.0.1:$PORT (its log is above)." >&2
  exit 1
fi
step "The server answers"

step "Running $USERS clients for ${DURATION}s (locust)"
status=0
SANGKIEN_LOAD_CLIENTS="$OUT/clients.json" $BIN/locust -f "$ROOT/loadtest/locustfile.py" \
  --headless --users "$USERS" --spawn-rate "${SANGKIEN_LOAD_SPAWN_RATE:-10}" \
  --run-time "${DURATION}s" --host "http://127.0.0.1:$PORT" --csv "$OUT/locust" \
  --only-summary --loglevel WARNING >"$OUT/locust.log" 2>&1 || status=$?
stop_server
trap - EXIT
$BIN/python scripts/load_report.py "$OUT/locust_stats.csv" "$OUT/locust_failures.csv" \
  | tee "$OUT/report.md" || status=$?

step "Checking the figures against a recount (check-stats)"
$BIN/sangkien check-stats || status=$?
step "Done: $OUT/report.md"
exit "$status"
