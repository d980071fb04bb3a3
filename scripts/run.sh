#!/usr/bin/env bash
# make run: migrate, seed the demo once, print the logins, serve.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${1:-8000}
BIN=.venv/bin
mkdir -p var
$BIN/sangkien migrate --noinput -v 0
$BIN/sangkien seed --scale demo --once
$BIN/sangkien demo_logins --url "http://127.0.0.1:${PORT}/"
exec $BIN/sangkien runserver "127.0.0.1:${PORT}"
