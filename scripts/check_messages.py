"""Fails when a Vietnamese translation is missing or fuzzy, or a .mo file is out of date.

Run by `make test`; `make messages` refreshes the catalogues after strings change."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "sangkien" / "locale"


def main() -> int:
    catalogues = sorted(LOCALE.glob("*/LC_MESSAGES/*.po"))
    if not catalogues:
        print("No translation catalogues yet (sangkien/locale): nothing to check.")
        return 0
    if shutil.which("msgfmt") is None:
        print("msgfmt is missing: install gettext (apt-get install gettext).", file=sys.stderr)
        return 1
    problems: list[str] = []
    for po in catalogues:
        lang = po.parts[-3]
        result = subprocess.run(
            ["msgfmt", "--statistics", "-o", "/dev/null", str(po)],
            capture_output=True,
            text=True,
            check=False,
        )
        stats = result.stderr.strip()
        incomplete = lang == "vi" and ("untranslated" in stats or "fuzzy" in stats)
        if result.returncode != 0 or incomplete:
            problems.append(f"{po}: {stats}")
        mo = po.with_suffix(".mo")
        with tempfile.NamedTemporaryFile(suffix=".mo") as fresh:
            subprocess.run(["msgfmt", "-o", fresh.name, str(po)], check=False)
            if not mo.exists() or Path(fresh.name).read_bytes() != mo.read_bytes():
                problems.append(f"{mo} does not match its .po: run make messages")
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
