#!/usr/bin/env bash
# The browser journeys alone (Playwright driving Debian's Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-chromium.sh
.venv/bin/pytest -m browser "$@"
