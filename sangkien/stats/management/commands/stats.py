from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sangkien.stats import figures
from sangkien.stats.commandline import add_figure_arguments, figure_arguments


class Command(BaseCommand):
    help = "Print the campaign figures of a unit as JSON (the object GET /api/v1/stats gives)."

    def add_arguments(self, parser: CommandParser) -> None:
        add_figure_arguments(parser)
        parser.add_argument(
            "--tree", choices=["current", "dated"], default="current",
            help="the tree as it is now (default) or as it stood on the date",
        )  # fmt: skip
        parser.add_argument("--children", action="store_true", help="include the children")

    def handle(self, *args: Any, **opts: Any) -> None:
        unit, campaign, phase, as_of = figure_arguments(opts)
        report = figures.report(
            unit, campaign, phase=phase, as_of=as_of, tree=opts["tree"],
            with_children=opts["children"],
        )  # fmt: skip
        data = report.as_dict()
        if not opts["children"]:
            data.pop("children")
        self.stdout.write(json.dumps(data, ensure_ascii=False))
