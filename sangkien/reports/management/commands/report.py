from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from sangkien.reports.pdf import render_pdf
from sangkien.reports.progress import progress_report
from sangkien.reports.xlsx import render_xlsx
from sangkien.stats import figures
from sangkien.stats.commandline import add_figure_arguments, figure_arguments

RENDERERS = {"pdf": render_pdf, "xlsx": render_xlsx}


class Command(BaseCommand):
    help = "Write the campaign progress report of a unit as PDF or .xlsx (as the web page does)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", help="the file to write")
        add_figure_arguments(parser)
        parser.add_argument("--tree", choices=[figures.CURRENT, figures.DATED], default="current")
        parser.add_argument("--format", choices=sorted(RENDERERS), help="default: from OUT")
        parser.add_argument("--language", choices=["vi", "en"], default="vi")

    def handle(self, *args: Any, **opts: Any) -> None:
        unit, campaign, phase, as_of = figure_arguments(opts)
        if as_of is not None and not campaign.starts_on <= as_of <= figures.today():
            raise CommandError(
                f"--as-of: {as_of} is outside {campaign.starts_on} to today (the figures "
                "known for this campaign)."
            )
        out = Path(opts["out"])
        fmt = opts["format"] or out.suffix.lstrip(".").lower()
        if fmt not in RENDERERS:
            raise CommandError("Give --format pdf or xlsx, or an OUT ending in .pdf or .xlsx.")
        started = time.perf_counter()
        with translation.override(opts["language"]):
            report = progress_report(unit, campaign, phase=phase, as_of=as_of, tree=opts["tree"])
            out.write_bytes(RENDERERS[fmt](report))
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"{out}: {len(report.rows)} units below {unit.code}, {out.stat().st_size:,} bytes, "
            f"{seconds:.2f} s"
        )
