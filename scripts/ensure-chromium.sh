#!/usr/bin/env bash
# Browser tests drive Debian's Chromium; install it when it is missing and we may (as root,
# or through sudo without a password). SANGKIEN_CHROMIUM names another binary. With --check
# it only says (by its exit status) whether Chromium is there.
set -euo pipefail
if [ -n "${SANGKIEN_CHROMIUM:-}" ] && [ -x "$SANGKIEN_CHROMIUM" ]; then exit 0; fi
if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then exit 0; fi
if [ "${1:-}" = "--check" ]; then exit 1; fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else SUDO="no"; fi
fi
if [ "$SUDO" != "no" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests"
  if $SUDO apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null; then
    command -v chromium >/dev/null 2>&1 && exit 0
  fi
  echo "apt-get could not install chromium" >&2
fi
echo "chromium is missing: install it (apt-get install chromium) to run the browser tests" >&2
exit 1
