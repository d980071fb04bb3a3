#!/usr/bin/env bash
# Refresh the translation catalogues from the code and compile them.
set -euo pipefail
cd "$(dirname "$0")/../sangkien"
../.venv/bin/sangkien makemessages -l vi -l en --no-obsolete --no-wrap --add-location file -v 0
../.venv/bin/sangkien makemessages -d djangojs -l vi -l en --no-obsolete --no-wrap --add-location file -v 0 --ignore 'static/vendor/*' || true
../.venv/bin/sangkien compilemessages -v 0
