#!/usr/bin/env bash
# Runs a web server (the command given as arguments) and the background worker
# (sangkien worker) beside it, and stops both together. `make run` (scripts/run.sh) and
# `make serve` (scripts/serve.sh) end with `exec bash scripts/supervise.sh SERVER…`.
#
# This script stays the parent of both. However the run is stopped — Ctrl+C, TERM or HUP to
# this script or to its process group, or the server or the worker ending on its own — it
# stops the other one too, waits for both and leaves nothing running. The worker gets one
# TERM and finishes the job it is running, for at most SANGKIEN_WORKER_GRACE seconds (30);
# a second Ctrl+C stops it at once. The server gets TERM and SANGKIEN_SERVER_GRACE seconds
# (10) before it and its children are killed.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$#" -eq 0 ]; then
  echo "usage: scripts/supervise.sh SERVER_COMMAND [ARGUMENT…]" >&2
  exit 2
fi
BIN=.venv/bin
GRACE=${SANGKIEN_WORKER_GRACE:-30}
SERVER_GRACE=${SANGKIEN_SERVER_GRACE:-10}

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
# (runserver's autoreloader runs the server proper as its child; gunicorn's master its
# workers).
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
  reap "$SERVER" $((SERVER_GRACE * 10))
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
"$@" &
SERVER=$!
trap 'on_signal 2' INT
trap 'on_signal 15' TERM
trap 'on_signal 1' HUP

# Whichever child ends first (or a signal, through the traps), the other one is stopped.
status=0
wait -n "$SERVER" "$WORKER" || status=$?
stop
exit "$status"
