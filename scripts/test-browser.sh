#!/usr/bin/env bash
# The browser journeys alone (Playwright driving Debian's Chromium), on the database that
# DATABASE_URL names, in parallel like make test (SANGKIEN_TEST_WORKERS). Extra arguments go
# to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var
bash scripts/ensure-chromium.sh || echo "Continuing without Chromium: the browser tests will say so." >&2
status=0
.venv/bin/pytest -m browser -n "${SANGKIEN_TEST_WORKERS:-auto}" --dist loadgroup "$@" || status=$?
if [ "$status" = 5 ]; then echo "pytest found no browser tests (marker 'browser')" >&2; fi
exit "$status"
