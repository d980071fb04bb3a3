#!/usr/bin/env bash
# make run: migrate, seed the demo once, print the logins, serve; the background worker
# (sangkien worker) runs beside the server and stops with it.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${1:-8000}
BIN=.venv/bin
mkdir -p var
$BIN/sangkien migrate --noinput -v 0
$BIN/sangkien seed --scale demo --once
$BIN/sangkien demo_logins --url "http://127.0.0.1:${PORT}/"

if [ "${SANGKIEN_TASKS:-database}" = "immediate" ]; then
  exec $BIN/sangkien runserver "127.0.0.1:${PORT}"
fi

# One worker per tree: a worker left behind by a run that was killed is stopped first.
PIDFILE="${SANGKIEN_VAR_DIR:-var}/worker.pid"
mkdir -p "$(dirname "$PIDFILE")"
if [ -f "$PIDFILE" ]; then
  old=$(cat "$PIDFILE")
  if [ -n "$old" ] && grep -qs "sangkien" "/proc/$old/cmdline" 2>/dev/null; then
    kill "$old" 2>/dev/null || true
  fi
  rm -f "$PIDFILE"
fi
# In its own session, so Ctrl+C reaches the server only.
setsid $BIN/sangkien worker &
WORKER=$!
echo "$WORKER" > "$PIDFILE"
SERVER=$$
# The server takes this process's place (exec below). However it ends, the worker then gets
# one TERM and finishes the job it is running (up to 30 s) before it exits.
(
  trap '' INT
  while kill -0 "$SERVER" 2>/dev/null; do sleep 1; done
  kill -TERM "$WORKER" 2>/dev/null || true
  for _ in $(seq 300); do
    state=$(ps -o stat= -p "$WORKER" 2>/dev/null || true)
    case "$state" in "" | Z*) break ;; esac  # gone (or gone and not yet reaped)
    sleep 0.1
  done
  kill -KILL "$WORKER" 2>/dev/null || true
  rm -f "$PIDFILE"
) &
exec $BIN/sangkien runserver "127.0.0.1:${PORT}"
