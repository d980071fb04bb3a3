#!/usr/bin/env bash
# make test: lint, then the whole suite (unit, API, views, browser) on the database that
# DATABASE_URL names (a throw-away SQLite database when it is unset).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
echo "== lint"
$BIN/ruff check .
$BIN/ruff format --check .
$BIN/sangkien makemigrations --check --dry-run >/dev/null || { echo "models changed without a migration" >&2; exit 1; }
$BIN/python scripts/check_messages.py
echo "== tests on ${DATABASE_URL:-SQLite}"
bash scripts/ensure-chromium.sh || true
$BIN/pytest "$@"
