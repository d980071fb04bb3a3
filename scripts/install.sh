#!/usr/bin/env bash
# Makes .venv and installs the pinned Python and front-end dependencies. Nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."

python_ok() { "$1" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; }

if [ ! -x .venv/bin/python ]; then
  PY=${PYTHON:-}
  if [ -z "$PY" ]; then
    for candidate in python3 python3.13 python3.12 python3.11; do
      if command -v "$candidate" >/dev/null 2>&1 && python_ok "$candidate"; then PY=$candidate; break; fi
    done
  fi
  if [ -z "$PY" ] || ! python_ok "$PY"; then
    echo "Sáng kiến needs Python 3.11 or newer: install it, or name it with PYTHON=/path/to/python3.11." >&2
    exit 1
  fi
  echo "Creating .venv with $("$PY" --version)"
  "$PY" -m venv .venv
elif ! python_ok .venv/bin/python; then
  echo ".venv uses $(.venv/bin/python --version); Sáng kiến needs 3.11 or newer: run make clean, then try again." >&2
  exit 1
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
if command -v npm >/dev/null 2>&1; then
  npm ci --silent --no-audit --no-fund --loglevel=error
else
  echo "npm is missing: install Node.js 18+ to get the front-end packages (htmx, charts)." >&2
  exit 1
fi
touch .venv/.installed
echo "Installed into .venv"
