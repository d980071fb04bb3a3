"""The export cases of `sangkien bench` (`--only export`).

`export.initiatives` writes the newest `rows` initiatives of the database (every status) to
.xlsx the product's way: `tables.initiative_table` (keyset batches of `values_list`, authors
and units once per batch) into `xlsx.SheetWriter` (XlsxWriter, constant memory, fast rows).
Each run is a fresh child process, so the peak memory reported is the child's whole
resident-set high-water mark (VmHWM: Python, Django and the export), not an estimate.

The naive way, in the same run: the same rows into openpyxl's normal (in-memory) Workbook,
`ws.append` then `save`, as most code does it. It holds every cell until it saves, so it runs
over a slice (`naive_rows`, default 100,000 rows) and its time and memory are extrapolated
linearly to `rows`; the note says so. `export.initiatives.api` is the product's writer through
XlsxWriter's public `write_*` calls over the same slice, for the record of what the fast row
path buys.

A bench database rarely holds a million initiatives (`demo` seeds ~20,000, `province`
600,000). `pad_initiatives` copies existing initiatives and their authors with new ids, in
set-based INSERT … SELECT statements (doubling), until there are enough. It is for bench
databases only — the copies are not in the statistics aggregates, so `check-stats` reports
them — and runs only when asked (`sangkien bench --only export --pad-initiatives`).
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.models import Max

from sangkien.core.bench import Result, p95

GOAL_ROWS_PER_S = 50_000
GOAL_PEAK_MB = 300
CHILD = "import django; django.setup(); from sangkien.exports.bench import child_main; child_main()"


# -- padding (bench databases only) ----------------------------------------------------------


def pad_initiatives(
    target: int, *, confirm: bool, progress: Callable[[str], None] | None = None
) -> int:
    """Copy initiatives (with their authors) until at least `target` exist; how many were
    added. Bench databases only: `confirm` must be given explicitly."""
    from sangkien.initiatives.models import Author, Initiative

    if not confirm:
        raise RuntimeError("pad_initiatives copies rows for benchmarks: pass confirm=True")
    say = progress or (lambda _m: None)
    quote = connection.ops.quote_name
    i_table, a_table = quote(Initiative._meta.db_table), quote(Author._meta.db_table)
    i_cols = [f.column for f in Initiative._meta.concrete_fields if f.column != "id"]
    a_cols = [
        f.column for f in Author._meta.concrete_fields if f.column not in ("id", "initiative_id")
    ]
    i_list = ", ".join(quote(str(c)) for c in i_cols)
    a_list = ", ".join(quote(str(c)) for c in a_cols)
    added = 0
    count = Initiative.objects.count()
    if count == 0:
        return 0
    while count < target:
        take = min(count, target - count)
        offset = Initiative.objects.aggregate(m=Max("id"))["m"]
        last = Initiative.objects.order_by("id").values_list("id", flat=True)[take - 1 : take].get()
        # Table and column names come from the models; values are parameters.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {i_table} (id, {i_list}) "  # noqa: S608
                f"SELECT id + %s, {i_list} FROM {i_table} WHERE id <= %s",
                [offset, last],
            )
            cursor.execute(
                f"INSERT INTO {a_table} (initiative_id, {a_list}) "  # noqa: S608
                f"SELECT initiative_id + %s, {a_list} FROM {a_table} WHERE initiative_id <= %s",
                [offset, last],
            )
        added += take
        count += take
        say(f"padded to {count:,} initiatives")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Initiative, Author):
                table = model._meta.db_table
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "  # noqa: S608
                    f"(SELECT MAX(id) FROM {quote(table)}))",
                    [table],
                )
            cursor.execute(f"ANALYZE {i_table}")
            cursor.execute(f"ANALYZE {a_table}")
    return added


# -- the child process -----------------------------------------------------------------------


def _newest(rows: int) -> Any:
    """The newest `rows` initiatives (every status), for the export."""
    from sangkien.initiatives.models import Initiative

    ids = Initiative.objects.order_by("-id").values_list("id", flat=True)
    first = ids[rows - 1 : rows].first() if rows > 0 else None
    qs = Initiative.objects.all()
    return qs.filter(id__gte=first) if first is not None else qs


def child_main() -> None:
    """`python -c CHILD MODE ROWS OUT`: one export, then a JSON line with what it cost."""
    from django.utils import translation

    from sangkien.exports import services, tables

    mode, rows, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    translation.activate("vi")
    table = tables.initiative_table(_newest(rows))
    start = time.perf_counter()
    if mode == "naive":
        import openpyxl

        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append([str(c.header) for c in table.columns])
        written = 0
        for written, row in enumerate(table.rows(), 1):  # noqa: B007 - the count is used
            sheet.append(list(row))
        book.save(out)
    else:
        written = services.write(table, out, fast=mode == "product")
    seconds = time.perf_counter() - start
    peak_mb = peak_rss_mb()
    size_mb = os.path.getsize(out) / 1e6
    print(json.dumps({"rows": written, "seconds": seconds, "peak_mb": peak_mb, "mb": size_mb}))


def peak_rss_mb() -> float:
    """This process's resident-set high-water mark. On Linux, VmHWM of /proc/self/status:
    `ru_maxrss` would also count the parent's memory at the fork (Linux keeps the larger of
    the two across exec), and the bench parent may be large after padding."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _run_child(mode: str, rows: int, folder: str) -> dict[str, Any]:
    out = str(Path(folder) / f"{mode}.xlsx")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "sangkien.settings"}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(rows), out],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"export child ({mode}) failed:\n{done.stderr[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    os.unlink(out)
    return result


# -- the suite -------------------------------------------------------------------------------


def run_export_suite(
    rows: int = 1_000_000,
    *,
    runs: int = 3,
    naive_rows: int = 100_000,
    pad: bool = False,
    progress: Callable[[str], None] | None = None,
) -> list[Result]:
    from sangkien.initiatives.models import Initiative

    say = progress or (lambda _m: None)
    if pad:
        say(f"padding the bench database to {rows:,} initiatives")
        pad_initiatives(rows, confirm=True, progress=say)
    available = Initiative.objects.count()
    if not available:
        return []
    rows = min(rows, available)
    naive_rows = min(naive_rows, rows)
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="sangkien-bench-export-") as folder:
        samples = []
        for i in range(runs):
            say(f"export of {rows:,} initiatives, run {i + 1} of {runs}")
            samples.append(_run_child("product", rows, folder))
        say(f"naive export (openpyxl in memory) of {naive_rows:,} initiatives")
        naive = _run_child("naive", naive_rows, folder)
        say(f"export through XlsxWriter's public calls of {naive_rows:,} initiatives")
        api = _run_child("api", naive_rows, folder)
    seconds = [s["seconds"] for s in samples]
    median = statistics.median(seconds)
    peak = max(s["peak_mb"] for s in samples)
    scale = rows / naive_rows
    naive_ms = naive["seconds"] * scale * 1000
    rate = rows / median
    note = (
        f"{rows:,} rows × 16 columns, {rate:,.0f} rows/s (goal ≥ {GOAL_ROWS_PER_S:,}), "
        f"peak {peak:.0f} MB (goal ≤ {GOAL_PEAK_MB}), {samples[0]['mb']:.0f} MB file; "
        f"naive: openpyxl Workbook over {naive_rows:,} rows, {naive['seconds']:.1f} s and "
        f"{naive['peak_mb']:.0f} MB peak there, times extrapolated ×{scale:g}"
    )
    results.append(
        Result(
            case="export.initiatives",
            runs=runs,
            median_ms=round(median * 1000, 1),
            p95_ms=round(p95(seconds) * 1000, 1),
            naive_median_ms=round(naive_ms, 1),
            naive_p95_ms=round(naive_ms, 1),
            naive_runs=1,
            note=note,
        )
    )
    api_ms = api["seconds"] * 1000
    results.append(
        Result(
            case="export.initiatives.api",
            runs=1,
            median_ms=round(api_ms, 1),
            p95_ms=round(api_ms, 1),
            note=(
                f"{naive_rows:,} rows through XlsxWriter's write_* calls: "
                f"{naive_rows / api['seconds']:,.0f} rows/s, peak {api['peak_mb']:.0f} MB"
            ),
        )
    )
    return results
