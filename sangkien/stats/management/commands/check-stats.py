from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sangkien.campaigns.models import Campaign
from sangkien.stats import recount


class Command(BaseCommand):
    help = (
        "Recount every figure from the base tables and compare it with what the dashboard "
        "serves; exits 1 naming the unit and figure of each difference."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--campaign", help="only this campaign (code)")
        parser.add_argument("--limit", type=int, default=50, help="differences to print at most")
        parser.add_argument(
            "--repair", action="store_true",
            help="after reporting, replace the aggregates by the recount",
        )  # fmt: skip

    def handle(self, *args: Any, **opts: Any) -> None:
        campaigns = Campaign.objects.order_by("pk")
        if opts["campaign"]:
            campaigns = campaigns.filter(code=opts["campaign"].strip().upper())
            if not campaigns.exists():
                raise CommandError(f"No campaign with code {opts['campaign']}.")
        start = time.perf_counter()
        differences: list[recount.Difference] = []
        for campaign in campaigns:
            self.stderr.write(f"checking {campaign.code} …")
            differences += recount.check([campaign], limit=opts["limit"])
        took = time.perf_counter() - start
        for difference in differences[: opts["limit"]]:
            self.stdout.write(f"DIFFERENCE {difference}")
        if opts["repair"] and differences:
            recount.rebuild(campaigns)
            self.stdout.write("aggregates rebuilt from the recount")
        if differences:
            self.stdout.write(f"{len(differences)} difference(s) found in {took:.1f} s")
            sys.exit(1)
        self.stdout.write(f"all figures agree ({campaigns.count()} campaign(s), {took:.1f} s)")
