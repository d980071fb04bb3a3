#!/usr/bin/env bash
# Makes .venv and installs the pinned Python and front-end dependencies. Nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "Creating .venv with $($PY --version)"
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -c constraints.txt -e '.[dev]'
if command -v npm >/dev/null 2>&1; then
  npm ci --silent --no-audit --no-fund --loglevel=error
else
  echo "npm is missing: install Node.js 18+ to get the front-end packages (htmx, charts)." >&2
  exit 1
fi
touch .venv/.installed
echo "Installed into .venv"
