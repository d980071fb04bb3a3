from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sangkien.campaigns.models import Campaign
from sangkien.stats import recount


class Command(BaseCommand):
    help = (
        "Rebuild every statistics aggregate of every campaign (or of one) from the base "
        "tables, in one transaction: the subtree and own day rows, totals, members' spans, "
        "rank rows, cumulative checkpoints and review-queue counts. The checkpoints and the "
        "queue counts are written by set-based statements (INSERT ... SELECT ... GROUP BY); "
        "the day rows, totals and spans by replaying each initiative's history. "
        "check-stats agrees after it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--campaign", help="only this campaign (code)")

    def handle(self, *args: Any, **opts: Any) -> None:
        campaigns = Campaign.objects.order_by("pk")
        if opts["campaign"]:
            campaigns = campaigns.filter(code=opts["campaign"].strip().upper())
            if not campaigns.exists():
                raise CommandError(f"No campaign with code {opts['campaign']}.")
        start = time.perf_counter()
        rows = recount.rebuild(
            list(campaigns), progress=lambda c: self.stderr.write(f"rebuilt {c.code}")
        )
        self.stdout.write(
            f"Rebuilt the statistics of {campaigns.count()} campaign(s): {rows:,} day rows "
            f"in {time.perf_counter() - start:.1f} s."
        )
