#!/usr/bin/env bash
# make test: lint, the import layers (pyproject's [tool.importlinter]), the types (mypy with
# django-stubs, pyproject's [tool.mypy]: the product code, not yet the tests), then the whole suite
# (unit, API, views, browser) on the database that DATABASE_URL names (a throw-away SQLite
# database when it is unset), in parallel: one pytest-xdist worker per core, each with its own
# test database (SANGKIEN_TEST_WORKERS=N for N workers, 0 for one process). Extra arguments
# go to pytest. With CI set, browser tests fail instead of skipping when Chromium is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
mkdir -p var
echo "== lint"
$BIN/ruff check .
$BIN/ruff format --check .
$BIN/sangkien makemigrations --check --dry-run >/dev/null || { echo "models changed without a migration" >&2; exit 1; }
$BIN/python scripts/check_messages.py
echo "== import layers"
$BIN/lint-imports --no-cache
echo "== types"
$BIN/mypy sangkien
echo "== tests on ${DATABASE_URL:-SQLite}"
bash scripts/ensure-chromium.sh || echo "Continuing without Chromium: the browser tests will say so." >&2
status=0
$BIN/pytest -n "${SANGKIEN_TEST_WORKERS:-auto}" --dist loadgroup "$@" || status=$?
if [ "$status" = 5 ]; then echo "pytest collected no tests: check the arguments and the test paths" >&2; fi
exit "$status"
