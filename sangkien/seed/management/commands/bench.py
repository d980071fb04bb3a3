from __future__ import annotations

import json
import platform
import sys
import time
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils import timezone

from sangkien.core.bench import markdown
from sangkien.exports.bench import run_export_suite
from sangkien.imports.bench import run_import_suite
from sangkien.orgs.models import Unit
from sangkien.stats.bench import (
    RECOUNT_RUNS_BIG,
    RECOUNT_RUNS_SMALL,
    StatsDisagreement,
    rebuild_stats,
    run_queue_suite,
    run_stats_suite,
    run_submit_suite,
    run_tree_suite,
)


def _progress(message: str) -> None:
    sys.stderr.write(f"[bench {time.strftime('%H:%M:%S')}] {message}\n")
    sys.stderr.flush()


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
        parser.add_argument(
            "--rebuild-stats",
            action="store_true",
            help="also time rebuilding the statistics aggregates from the base tables "
            "(recount.rebuild, as the seed does after loading; slow at national scale)",
        )
        parser.add_argument(
            "--only",
            default="",
            help="comma-separated suites to run: tree, queue, stats, submit, import, export "
            "(default: all)",
        )
        parser.add_argument(
            "--recount-runs",
            type=int,
            default=RECOUNT_RUNS_BIG,
            help="samples of the recount for the root and level-1 units (seconds each at "
            f"national scale; default {RECOUNT_RUNS_BIG})",
        )
        parser.add_argument(
            "--import-rows",
            type=int,
            default=100_000,
            help="rows of the spreadsheet the import case reads (default 100,000)",
        )
        parser.add_argument(
            "--export-rows",
            type=int,
            default=1_000_000,
            help="initiatives the export case writes (default 1,000,000, or as many as exist)",
        )
        parser.add_argument(
            "--pad-initiatives",
            action="store_true",
            help="bench databases only, never a real one: copy initiatives until "
            "--export-rows exist before the export case",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress lines")

    def handle(self, *args: Any, **opts: Any) -> None:
        say = (lambda _m: None) if opts["no_progress"] else _progress
        only = {s.strip() for s in opts["only"].split(",") if s.strip()}
        wanted = (lambda s: s in only) if only else (lambda s: True)
        seeded_in = None
        if not Unit.objects.exists():
            say(f"seeding {opts['scale']}")
            start = time.perf_counter()
            call_command("seed", scale=opts["scale"])
            seeded_in = round(time.perf_counter() - start, 1)
        stats_rebuilt_in = rebuild_stats(say) if opts["rebuild_stats"] else None
        runs = opts["runs"]
        results = []
        disagreement: StatsDisagreement | None = None
        if wanted("tree"):
            say("tree and member cases")
            results += run_tree_suite(runs=runs)
        if wanted("queue"):
            say("review-queue cases")
            results += run_queue_suite(runs=runs)
        if wanted("stats"):
            try:
                results += run_stats_suite(
                    runs=runs,
                    progress=say,
                    recount_runs=(opts["recount_runs"], RECOUNT_RUNS_SMALL),
                )
            except StatsDisagreement as exc:
                disagreement = exc
        if wanted("submit"):
            results += run_submit_suite(runs=runs, progress=say)
        if wanted("import"):
            results += run_import_suite(rows=opts["import_rows"], progress=say)
        if wanted("export"):
            results += run_export_suite(
                rows=opts["export_rows"], pad=opts["pad_initiatives"], progress=say
            )
        out = Path(opts["out"])
        out.mkdir(parents=True, exist_ok=True)
        meta = {
            "at": timezone.now().isoformat(timespec="seconds"),
            "database": connection.vendor,
            "scale": opts["scale"],
            "seeded_in_s": seeded_in,
            "stats_rebuilt_in_s": stats_rebuilt_in,
            "stats_differences": len(disagreement.differences) if disagreement else 0,
            "python": platform.python_version(),
            "machine": platform.machine(),
        }
        stamp = f"{connection.vendor}-{opts['scale']}"
        data: dict[str, Any] = {"meta": meta, "results": [r.as_dict() for r in results]}
        if disagreement is not None:
            data["differences"] = disagreement.differences
        (out / f"bench-{stamp}.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
        title = f"{connection.vendor}, {opts['scale']}"
        if seeded_in is not None:
            title += f" (seeded in {seeded_in} s)"
        if stats_rebuilt_in is not None:
            title += f" (statistics rebuilt in {stats_rebuilt_in} s)"
        table = markdown(results, title)
        (out / f"bench-{stamp}.md").write_text(table, encoding="utf-8")
        self.stdout.write(table)
        if disagreement is not None:
            raise CommandError(
                f"The statistics served differ from the recount: {disagreement} "
                f"(all of them in {out / f'bench-{stamp}.json'})"
            )
        if wanted("stats") and any(r.case.startswith("stats.api.") for r in results):
            self.stdout.write("Statistics: 0 differences between the API and the recount.")
