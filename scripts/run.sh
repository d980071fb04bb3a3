#!/usr/bin/env bash
# make run: migrate, seed the demo once, print the logins, serve; the background worker
# (sangkien worker) runs beside the server and stops with it.
#
# This script stays the parent of both. However the run is stopped — Ctrl+C, TERM or HUP to
# this script or to its process group, or the server or the worker ending on its own — it
# stops the other one too, waits for both and leaves nothing running. The worker gets one
# TERM and finishes the job it is running, for at most SANGKIEN_WORKER_GRACE seconds (30);
# a second Ctrl+C stops it at once.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${1:-8000}
# Links in emails (sent by the server and the worker) name this port unless
# SANGKIEN_SITE_URL says otherwise; pages and QR posters follow the address of the request.
export SANGKIEN_PORT="$PORT"
BIN=.venv/bin
GRACE=${SANGKIEN_WORKER_GRACE:-30}
mkdir -p var
$BIN/sangkien migrate --noinput -v 0
$BIN/sangkien seed --scale demo --once
$BIN/sangkien demo_logins --url "http://127.0.0.1:${PORT}/"

if [ "${SANGKIEN_TASKS:-database}" = "immediate" ]; then
  exec $BIN/sangkien runserver "127.0.0.1:${PORT}"
fi

# One worker per tree: a worker left behind by a run that was killed (KILL cannot be
# trapped) is stopped first.
PIDFILE="${SANGKIEN_VAR_DIR:-var}/worker.pid"
mkdir -p "$(dirname "$PIDFILE")"
if [ -f "$PIDFILE" ]; then
  old=$(cat "$PIDFILE")
  if [ -n "$old" ] && grep -qs "sangkien" "/proc/$old/cmdline" 2>/dev/null; then
    kill "$old" 2>/dev/null || true
  fi
  rm -f "$PIDFILE"
fi

alive() {
  local state
  state=$(ps -o stat= -p "$1" 2>/dev/null || true)
  case "$state" in "" | Z*) return 1 ;; esac # gone (or gone and not yet reaped)
  return 0
}

# Waits up to $2 tenths of a second for process $1 to end, then kills it and its children
# (the server's autoreloader runs the server proper as its child).
reap() {
  local pid=$1 tenths=$2
  while [ "$tenths" -gt 0 ] && alive "$pid"; do
    sleep 0.1
    tenths=$((tenths - 1))
  done
  if alive "$pid"; then
    # shellcheck disable=SC2046 # one pid a word
    kill -KILL $(ps -o pid= --ppid "$pid" 2>/dev/null) "$pid" 2>/dev/null
  fi
  wait "$pid" 2>/dev/null
}

STOPPING=""
stop() {
  [ -n "$STOPPING" ] && return
  STOPPING=yes
  # Stopping goes on whatever fails: a terminal that hung up fails every write.
  set +e
  trap '' PIPE
  # A second signal while stopping: the worker stops at once.
  trap 'kill -KILL "$WORKER" 2>/dev/null || true' INT TERM HUP
  kill -TERM "$SERVER" 2>/dev/null || true
  kill -TERM "$WORKER" 2>/dev/null || true
  if alive "$WORKER"; then
    echo "Stopping: the worker finishes its current job (up to ${GRACE} s)" >&2
  fi
  reap "$WORKER" $((GRACE * 10))
  reap "$SERVER" 100
  rm -f "$PIDFILE"
}

on_signal() {
  stop
  exit $((128 + $1))
}

# The worker runs in a process group of its own (job control on for that one command), so
# a signal to this run's group does not reach it: it gets exactly one TERM, from stop().
# A second signal would make it abandon the job it is running.
set -m
$BIN/sangkien worker &
WORKER=$!
set +m
echo "$WORKER" >"$PIDFILE"
# The server stays in this group: a KILL to the group (which no script can trap) still
# ends it and frees the port.
$BIN/sangkien runserver "127.0.0.1:${PORT}" &
SERVER=$!
trap 'on_signal 2' INT
trap 'on_signal 15' TERM
trap 'on_signal 1' HUP

# Whichever child ends first (or a signal, through the traps), the other one is stopped.
status=0
wait -n "$SERVER" "$WORKER" || status=$?
stop
exit "$status"
