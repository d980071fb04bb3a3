from __future__ import annotations

import datetime as dt
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sangkien.campaigns.models import Campaign
from sangkien.stats import check


class Command(BaseCommand):
    help = (
        "Count every figure of the statistics again straight from the base tables "
        "(initiatives, authors, history rows, units and their dated versions, quotas, plans, "
        "members) with its own SQL, sharing no code with the aggregates, and compare it with "
        "what the API and the dashboard serve: each figure and rank of every active unit, "
        "for every campaign, the whole campaign and each phase, on the current tree and on "
        "the tree as it stood, as of the campaign's start, each phase's end, the campaign's "
        "end and today; plus plan coverage, members_total and the review-queue counts per "
        "status (and that a unit's open queue equals its pending figure). Prints one line "
        "per difference (unit, campaign, phase, figure, date, tree, both values) and exits "
        "1 if there is any. It proves that the served figures equal the definitions on the "
        "data as stored; it does not prove the base tables themselves are right."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--campaign", help="only this campaign (code)")
        parser.add_argument("--limit", type=int, default=50, help="differences to print at most")
        parser.add_argument(
            "--tree", choices=["current", "dated", "both"], default="both",
            help="which tree to check (default both)",
        )  # fmt: skip
        parser.add_argument(
            "--as-of", action="append", default=[],
            help="check this date (YYYY-MM-DD; repeat for several) instead of the sample",
        )  # fmt: skip
        parser.add_argument(
            "--dated-parents", type=int, default=None,
            help="on the dated tree, read the reports of at most this many parent units per "
            "campaign, phase and date (a deterministic sample; default: all)",
        )  # fmt: skip

    def handle(self, *args: Any, **opts: Any) -> None:
        campaigns = Campaign.objects.order_by("pk")
        if opts["campaign"]:
            campaigns = campaigns.filter(code=opts["campaign"].strip().upper())
            if not campaigns.exists():
                raise CommandError(f"No campaign with code {opts['campaign']}.")
        try:
            days = [dt.date.fromisoformat(d) for d in opts["as_of"]]
        except ValueError as exc:
            raise CommandError("Dates are written YYYY-MM-DD.") from exc
        trees = ("current", "dated") if opts["tree"] == "both" else (opts["tree"],)
        checker = check.Checker(
            campaigns=campaigns,
            dates=(lambda _c: days) if days else None,
            trees=trees,
            dated_parents=opts["dated_parents"],
            progress=lambda message: self.stderr.write(f"checking {message} …"),
        )
        start = time.perf_counter()
        found = 0
        for difference in checker.run():
            found += 1
            if found <= opts["limit"]:
                self.stdout.write(f"DIFFERENCE {difference}")
        took = time.perf_counter() - start
        if found:
            self.stdout.write(
                f"{found} difference(s) in {checker.compared:,} values compared, {took:.1f} s"
            )
            sys.exit(1)
        self.stdout.write(
            f"all figures agree: {checker.compared:,} values compared "
            f"({campaigns.count()} campaign(s)), {took:.1f} s"
        )
