from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from sangkien.campaigns.models import Campaign
from sangkien.orgs.models import Unit
from sangkien.reports.pdf import render_pdf
from sangkien.reports.progress import progress_report
from sangkien.reports.xlsx import render_xlsx
from sangkien.stats import figures

RENDERERS = {"pdf": render_pdf, "xlsx": render_xlsx}


class Command(BaseCommand):
    help = "Write the campaign progress report of a unit as PDF or .xlsx (as the web page does)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", help="the file to write")
        parser.add_argument("--unit", required=True, help="unit code")
        parser.add_argument("--campaign", required=True, help="campaign code")
        parser.add_argument("--phase", type=int, help="phase number")
        parser.add_argument("--as-of", help="YYYY-MM-DD (default: today)")
        parser.add_argument("--tree", choices=[figures.CURRENT, figures.DATED], default="current")
        parser.add_argument("--format", choices=sorted(RENDERERS), help="default: from OUT")
        parser.add_argument("--language", choices=["vi", "en"], default="vi")

    def handle(self, *args: Any, **opts: Any) -> None:
        unit = Unit.objects.select_related("parent").filter(code=opts["unit"].upper()).first()
        if unit is None:
            raise CommandError(f"No unit with code {opts['unit']}.")
        campaign = Campaign.objects.filter(code=opts["campaign"].strip().upper()).first()
        if campaign is None:
            raise CommandError(f"No campaign with code {opts['campaign']}.")
        phase = None
        if opts["phase"] is not None:
            phase = campaign.phases.filter(number=opts["phase"]).first()
            if phase is None:
                raise CommandError(f"Campaign {campaign.code} has no phase {opts['phase']}.")
        as_of = None
        if opts["as_of"]:
            try:
                as_of = dt.date.fromisoformat(opts["as_of"])
            except ValueError as exc:
                raise CommandError(f"--as-of: {opts['as_of']} is not a date YYYY-MM-DD.") from exc
            if as_of > figures.today() or as_of < campaign.starts_on:
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
