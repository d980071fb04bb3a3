from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sangkien.campaigns.models import Campaign
from sangkien.orgs.models import Unit
from sangkien.stats import figures


class Command(BaseCommand):
    help = "Print the campaign figures of a unit as JSON (the object GET /api/v1/stats gives)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True, help="unit code")
        parser.add_argument("--campaign", required=True, help="campaign code")
        parser.add_argument("--phase", type=int, help="phase number")
        parser.add_argument("--as-of", help="YYYY-MM-DD (default: today)")
        parser.add_argument(
            "--tree", choices=["current", "dated"], default="current",
            help="the tree as it is now (default) or as it stood on the date",
        )  # fmt: skip
        parser.add_argument("--children", action="store_true", help="include the children")

    def handle(self, *args: Any, **opts: Any) -> None:
        unit = Unit.objects.filter(code=opts["unit"].strip().upper()).first()
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
        report = figures.report(
            unit, campaign, phase=phase, as_of=as_of, tree=opts["tree"],
            with_children=opts["children"],
        )  # fmt: skip
        data = report.as_dict()
        if not opts["children"]:
            data.pop("children")
        self.stdout.write(json.dumps(data, ensure_ascii=False))
