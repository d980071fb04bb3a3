#!/usr/bin/env bash
# Makes .venv and installs the pinned Python and front-end dependencies, one line per step.
#
# The Python packages are installed by uv (its version pinned in constraints.txt, put into
# .venv by pip from PyPI), which reuses its cache of unpacked wheels: a cold install with a
# warm cache takes seconds instead of a minute. Where uv cannot be had, pip installs the same
# pins. SANGKIEN_INSTALLER=pip always uses pip.
set -euo pipefail
cd "$(dirname "$0")/.."

STARTED=$(date +%s%N)
step() { printf '[%5.1fs] %s\n' "$(($(date +%s%N) - STARTED))e-9" "$*"; }

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
  step "Creating .venv with $("$PY" --version)"
  # Without its own pip (seeding it takes longer than the rest of a warm install); uv does
  # the installing, and pip is added below only where uv cannot be had.
  "$PY" -m venv --without-pip .venv
elif ! python_ok .venv/bin/python; then
  echo ".venv uses $(.venv/bin/python --version); Sáng kiến needs 3.11 or newer: run make clean, then try again." >&2
  exit 1
fi

# pip that installs into .venv: its own if it has one, else the one of the Python that made it
# (pip 22.3+ installs into another environment), else its own seeded by ensurepip.
base_pip_ok() {
  [ -n "${PY:-}" ] && "$PY" -c 'import sys, pip
sys.exit(tuple(int(p) for p in pip.__version__.split(".")[:2]) < (22, 3))' 2>/dev/null
}
venv_pip() {
  local opts=(--quiet --disable-pip-version-check)
  if [ -x .venv/bin/pip ]; then
    .venv/bin/python -m pip "${opts[@]}" "$@"
  elif base_pip_ok; then
    "$PY" -m pip --python .venv/bin/python "${opts[@]}" "$@"
  else
    .venv/bin/python -m ensurepip --upgrade >/dev/null && .venv/bin/python -m pip "${opts[@]}" "$@"
  fi
}

# The front-end packages install meanwhile (npm mostly waits on files and the network).
if ! command -v npm >/dev/null 2>&1; then
  echo "npm is missing: install Node.js 18+ to get the front-end packages (htmx, charts)." >&2
  exit 1
fi
step "Installing front-end packages (npm ci: htmx, charts), beside the Python packages"
NPM_LOG=$(mktemp)
npm ci --silent --no-audit --no-fund --loglevel=error >"$NPM_LOG" 2>&1 &
NPM_PID=$!
trap 'if [ -n "$NPM_PID" ]; then kill "$NPM_PID" 2>/dev/null || true; fi; rm -f "$NPM_LOG"' EXIT

UV_VERSION=$(sed -n 's/^uv==//p' constraints.txt)
# pip keeps no copy of what a registry serves without caching headers, so the uv wheel is
# kept here and installed from here on the next cold install.
WHEELS="${SANGKIEN_WHEEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sangkien/wheels}"

get_uv() {
  [ "${SANGKIEN_INSTALLER:-uv}" != "pip" ] && [ -n "$UV_VERSION" ] || return 1
  if [ -x .venv/bin/uv ] && [ "$(.venv/bin/uv --version 2>/dev/null)" = "uv $UV_VERSION" ]; then
    return 0
  fi
  step "Installing uv $UV_VERSION into .venv (pip)"
  if ! compgen -G "$WHEELS/uv-$UV_VERSION-*.whl" >/dev/null; then
    mkdir -p "$WHEELS"
    venv_pip download --no-deps --only-binary=:all: --dest "$WHEELS" "uv==$UV_VERSION" || return 1
  fi
  venv_pip install --no-index --find-links "$WHEELS" "uv==$UV_VERSION"
}

if get_uv; then
  step "Installing Python packages (uv, constraints.txt)"
  # uv lists every package it adds; its summary lines (resolved, prepared, installed) stay.
  .venv/bin/uv pip install --python .venv/bin/python -c constraints.txt -e '.[dev]' 2>&1 \
    | { grep -v '^ [-+~] ' || true; } | sed 's/^/         /'
else
  [ "${SANGKIEN_INSTALLER:-uv}" = "pip" ] || echo "uv is not available here: installing with pip instead (slower)." >&2
  step "Installing Python packages (pip, constraints.txt)"
  [ -x .venv/bin/pip ] || .venv/bin/python -m ensurepip --upgrade >/dev/null
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
fi

npm_status=0
wait "$NPM_PID" || npm_status=$?
NPM_PID=""
if [ "$npm_status" = 0 ]; then
  step "Front-end packages installed"
else
  cat "$NPM_LOG" >&2
  echo "npm ci failed (see above)" >&2
  exit 1
fi

if bash scripts/ensure-chromium.sh --check >/dev/null 2>&1; then
  step "Chromium found: the browser tests can run"
else
  step "Chromium not found: make test installs Debian's chromium as root, else skips the browser tests"
fi
touch .venv/.installed
step "Installed into .venv"
