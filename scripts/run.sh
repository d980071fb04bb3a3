#!/usr/bin/env bash
# make run: migrate, seed the demo once, print the logins, serve; the background worker
# (sangkien worker) runs beside the server and stops with it.
#
# However the run is stopped — Ctrl+C, TERM or HUP to this script or to its process group,
# or the server or the worker ending on its own — both stop and nothing is left running
# (scripts/supervise.sh, which this script becomes once the data is ready).
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${1:-8000}
# Links in emails (sent by the server and the worker) name this port unless
# SANGKIEN_SITE_URL says otherwise; pages and QR posters follow the address of the request.
export SANGKIEN_PORT="$PORT"
BIN=.venv/bin
mkdir -p var
$BIN/sangkien migrate --noinput -v 0
$BIN/sangkien seed --scale demo --once
$BIN/sangkien demo_logins --url "http://127.0.0.1:${PORT}/"

if [ "${SANGKIEN_TASKS:-database}" = "immediate" ]; then
  exec $BIN/sangkien runserver "127.0.0.1:${PORT}"
fi

# The server and the worker, stopped together however the run ends (scripts/supervise.sh).
exec bash scripts/supervise.sh $BIN/sangkien runserver "127.0.0.1:${PORT}"
