#!/usr/bin/env bash
# The browser journeys alone (Playwright driving Debian's Chromium), on the database that
# DATABASE_URL names. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var
bash scripts/ensure-chromium.sh || echo "Continuing without Chromium: the browser tests will say so." >&2
status=0
.venv/bin/pytest -m browser "$@" || status=$?
if [ "$status" = 5 ]; then echo "pytest found no browser tests (marker 'browser')" >&2; fi
exit "$status"
