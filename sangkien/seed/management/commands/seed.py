from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sangkien.seed.generator import PUBLIC_SCALES, SCALES
from sangkien.seed.loader import Progress, SeedRefused, seed


class Command(BaseCommand):
    help = (
        "Fill the database with deterministic synthetic data: units with Vietnamese names, "
        "members, one demo user per role, the campaigns and their initiatives."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            default="demo",
            choices=list(SCALES),
            metavar="{" + ",".join(PUBLIC_SCALES) + "}",
            help="how much data: demo (~30,000 members), province (~310,000), "
            "national (~10 million, PostgreSQL advised)",
        )
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--once",
            action="store_true",
            help="do nothing if the database already holds units",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="first delete all initiatives, campaigns, units, members, role grants, the demo "
            "users and the audit log",
        )
        parser.add_argument("--batch-size", type=int, default=20_000, help="rows per batch")
        parser.add_argument("--no-progress", action="store_true", help="no progress line")

    def handle(self, *args: Any, **opts: Any) -> None:
        progress = Progress(enabled=False) if opts["no_progress"] else Progress()
        try:
            result = seed(
                opts["scale"],
                seed=opts["seed"],
                once=opts["once"],
                reset=opts["reset"],
                batch_size=opts["batch_size"],
                progress=progress,
            )
        except SeedRefused as exc:
            raise CommandError(str(exc)) from exc
        finally:
            progress.end()
        if result.skipped:
            self.stdout.write(
                f"Already seeded ({result.units:,} units, {result.members:,} members, "
                f"{result.initiatives:,} initiatives): nothing to do."
            )
            return
        self.stdout.write(
            f"Seeded scale {result.scale} (seed {result.seed}): {result.units:,} units, "
            f"{result.members:,} members, {result.users} demo users, {result.campaigns} "
            f"campaigns, {result.initiatives:,} initiatives in {result.seconds:.1f} s."
        )
