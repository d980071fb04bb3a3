from __future__ import annotations

import json
import platform
import time
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.utils import timezone

from sangkien.orgs.models import Unit
from sangkien.stats.bench import markdown, run_queue_suite, run_tree_suite


class Command(BaseCommand):
    help = "Run the benchmark suite on the current database; write JSON and a Markdown table."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            default="demo",
            help="data set to seed first when the database is empty (demo, province, national)",
        )
        parser.add_argument("--out", default="bench-out", help="folder for the results")
        parser.add_argument("--runs", type=int, default=50, help="samples per case")

    def handle(self, *args: Any, **opts: Any) -> None:
        seeded_in = None
        if not Unit.objects.exists():
            start = time.perf_counter()
            call_command("seed", scale=opts["scale"])
            seeded_in = round(time.perf_counter() - start, 1)
        results = run_tree_suite(runs=opts["runs"])
        results += run_queue_suite(runs=opts["runs"])
        out = Path(opts["out"])
        out.mkdir(parents=True, exist_ok=True)
        meta = {
            "at": timezone.now().isoformat(timespec="seconds"),
            "database": connection.vendor,
            "scale": opts["scale"],
            "seeded_in_s": seeded_in,
            "python": platform.python_version(),
            "machine": platform.machine(),
        }
        stamp = f"{connection.vendor}-{opts['scale']}"
        (out / f"bench-{stamp}.json").write_text(
            json.dumps({"meta": meta, "results": [r.as_dict() for r in results]}, indent=2),
            encoding="utf-8",
        )
        title = f"{connection.vendor}, {opts['scale']}"
        if seeded_in is not None:
            title += f" (seeded in {seeded_in} s)"
        table = markdown(results, title)
        (out / f"bench-{stamp}.md").write_text(table, encoding="utf-8")
        self.stdout.write(table)
