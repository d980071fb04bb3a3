"""`sangkien export KIND OUT.xlsx [--unit CODE] [--campaign CODE] [--as-of YYYY-MM-DD]`:
write an export to a file, over the whole database (an administrator's tool: no user scope).
Progress goes to stderr (one line rewritten in place on a terminal); the last line on stdout
is a JSON summary: {"kind": …, "rows": …, "file": …, "seconds": …}."""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from sangkien.campaigns.models import Campaign
from sangkien.core.errors import ValidationError
from sangkien.exports import services
from sangkien.orgs.models import Unit

# Seconds between two progress lines when stderr is not a terminal.
LOG_EVERY = 5.0


class Progress:
    def __init__(self, kind: str, stream: Any) -> None:
        self.kind = kind
        self.stream = stream
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self.start = time.perf_counter()
        self.last = 0.0
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        now = time.perf_counter()
        final = done >= total > 0
        if not final and now - self.last < (0.2 if self.tty else LOG_EVERY):
            return
        self.last = now
        seconds = now - self.start
        rate = done / seconds if seconds > 0 else 0
        percent = f" ({done * 100 // total}%)" if total else ""
        line = f"export {self.kind}: {done:,} / {total:,} rows{percent}, {rate:,.0f} rows/s"
        if self.tty:
            self.stream.write("\r\x1b[K" + line)
            self.shown = True
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def end(self) -> None:
        if self.tty and self.shown:
            self.stream.write("\n")
            self.stream.flush()


class Command(BaseCommand):
    help = (
        "Export initiatives, members, units or a unit's figures to an .xlsx file "
        "(everything in the database, or one unit's subtree)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=services.KINDS, help="what to export")
        parser.add_argument("out", help="the .xlsx file to write")
        parser.add_argument("--unit", help="unit code: its subtree only (figures: required)")
        parser.add_argument("--campaign", help="campaign code (figures: required)")
        parser.add_argument("--as-of", help="figures as of YYYY-MM-DD (default: today)")
        parser.add_argument(
            "--language", choices=["vi", "en"], default="vi", help="headers and labels"
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress lines")

    def handle(self, *args: Any, **opts: Any) -> None:
        kind = opts["kind"]
        out = Path(opts["out"])
        if out.suffix.lower() != ".xlsx":
            raise CommandError(f"{out}: the file name must end in .xlsx.")
        if not out.parent.is_dir():
            raise CommandError(f"{out.parent}: no such folder.")
        unit = campaign = as_of = None
        if opts["unit"]:
            unit = Unit.objects.filter(code=opts["unit"].strip().upper()).first()
            if unit is None:
                raise CommandError(f"--unit: no unit has the code {opts['unit']}.")
        if opts["campaign"]:
            campaign = Campaign.objects.filter(code=opts["campaign"].strip().upper()).first()
            if campaign is None:
                raise CommandError(f"--campaign: no campaign has the code {opts['campaign']}.")
        if opts["as_of"]:
            try:
                as_of = dt.date.fromisoformat(opts["as_of"])
            except ValueError:
                raise CommandError(f"--as-of: {opts['as_of']} is not a date YYYY-MM-DD.") from None
            if kind != "figures":
                raise CommandError("--as-of applies to the figures only.")
        if kind == "figures" and (unit is None or campaign is None):
            raise CommandError("figures: give --unit and --campaign.")
        if kind in ("members", "units") and campaign is not None:
            raise CommandError(f"--campaign does not apply to {kind}.")
        start = time.perf_counter()
        progress = None if opts["no_progress"] else Progress(kind, sys.stderr)
        with translation.override(opts["language"]):
            try:
                table = services.command_table(kind, unit=unit, campaign=campaign, as_of=as_of)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from None
            try:
                rows = services.write(table, str(out), progress=progress)
            finally:
                if progress is not None:
                    progress.end()
        summary = {
            "kind": kind,
            "rows": rows,
            "file": str(out),
            "seconds": round(time.perf_counter() - start, 2),
        }
        self.stdout.write(json.dumps(summary, ensure_ascii=False))
