"""Fails when a string in the code is missing from the catalogues, a Vietnamese translation
is missing or fuzzy, or a .mo file is out of date.

Run by `make test`; `make messages` refreshes the catalogues after strings change."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "sangkien" / "locale"


def _msgids(po: Path) -> set[str]:
    """msgid (with msgid_plural) of each entry, read with gettext's own msgcat."""
    out = subprocess.run(
        ["msgcat", "--no-wrap", "--no-location", "--sort-output", str(po)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    ids: set[str] = set()
    for block in out.split("\n\n"):
        lines = [ln for ln in block.splitlines() if not ln.startswith("#")]
        key = "|".join(ln for ln in lines if ln.startswith(("msgid ", "msgid_plural ")))
        if key and key != 'msgid ""':
            ids.add(key)
    return ids


def strings_missing_from_catalogue(po: Path) -> list[str]:
    """Extract the strings of a copy of the code and compare them with the catalogue."""
    if not po.exists():
        return []
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "sangkien"
        shutil.copytree(ROOT / "sangkien", copy, ignore=shutil.ignore_patterns("__pycache__"))
        subprocess.run(
            [
                str(ROOT / ".venv" / "bin" / "sangkien"),
                "makemessages",
                "-l",
                "vi",
                "--no-obsolete",
                "-v",
                "0",
            ],
            cwd=copy,
            check=True,
        )
        missing = _msgids(copy / "locale" / "vi" / "LC_MESSAGES" / "django.po") - _msgids(po)
    return [f"not in {po.name} yet (run make messages): {m}" for m in sorted(missing)]


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
    problems.extend(strings_missing_from_catalogue(LOCALE / "vi" / "LC_MESSAGES" / "django.po"))
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
