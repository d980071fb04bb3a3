"""The import case of `sangkien bench` (goal in DESIGN.md: a 100,000-row spreadsheet in at
most 60 s with at most 500 MB peak memory).

`run_import_suite` writes an .xlsx of `rows` initiatives the way an office keeps them (title
rows, Vietnamese headers, units by code or by name, two or three co-authors in one cell,
amounts as "1.500.000 đ" or "1,5 triệu", dates as "15/3/2026" or real dates), naming
grassroots units and members of the current database. A child process then imports it into a
campaign made for the run and rolls everything back, so the bench leaves the data as it found
it; the child reports its wall time and its peak resident memory (`ru_maxrss`), which counts
everything the import holds: the parsed rows, the outcomes, the matchers, the writes.

The naive way, in the same child and the same transaction: each row through the services a
person entering the form uses (`create_initiative` then `submit_initiative`), on a sample of
rows, extrapolated to the whole file."""

from __future__ import annotations

import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import xlsxwriter
from django.conf import settings
from django.db import connection
from django.db.models import Count

from sangkien.core.bench import Result
from sangkien.orgs.models import Member, Unit, UnitKind, UnitStatus

HEADERS = [
    "STT",
    "Tên sáng kiến",
    "Tác giả",
    "Đơn vị",
    "Lĩnh vực",
    "Nội dung tóm tắt",
    "Thời gian áp dụng",
    "Giá trị làm lợi (đồng)",
    "Ghi chú",
]
FIELDS = ["Kỹ thuật, công nghệ", "KT", "Quản lý, điều hành", "QL"]
WORDS = [
    "Cải tiến", "Hợp lý hóa", "Giảm tiêu hao", "Tự động hóa", "Nâng cao năng suất",
    "Tiết kiệm điện", "Rút ngắn thời gian", "An toàn lao động", "Số hóa", "Tái sử dụng",
]  # fmt: skip
OBJECTS = [
    "dây chuyền may", "máy ép thủy lực", "băng tải", "lò hơi", "quy trình kiểm tra",
    "kho vật tư", "hệ thống chiếu sáng", "sổ theo dõi ca", "khuôn đúc", "máy nén khí",
]  # fmt: skip
NAIVE_SAMPLE = 300


def _people(max_units: int, rng: random.Random) -> list[tuple[Unit, list[str]]]:
    """Grassroots units with members whose names are unique inside the unit (so an author
    named in a cell is one member), up to `max_units` of them."""
    units = list(
        Unit.objects.filter(kind=UnitKind.GRASSROOTS, status=UnitStatus.ACTIVE)
        .annotate(n=Count("members"))
        .filter(n__gte=3)
        .order_by("pk")
        .only("pk", "code", "name", "name_folded")[: max_units * 3]
    )
    rng.shuffle(units)
    units = units[:max_units]
    names: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    ids = [u.pk for u in units]
    for start in range(0, len(ids), 500):
        for unit_id, full_name in Member.objects.filter(
            unit_id__in=ids[start : start + 500], left_on__isnull=True
        ).values_list("unit_id", "full_name"):
            names[unit_id][full_name] += 1
    out: list[tuple[Unit, list[str]]] = []
    for unit in units:
        unique = sorted(n for n, count in names[unit.pk].items() if count == 1)[:12]
        if len(unique) >= 3:
            out.append((unit, unique))
    return out


def write_file(path: Path, rows: int, seed: int = 7) -> int:
    """An office-style .xlsx of `rows` initiatives; returns the number of units it names."""
    rng = random.Random(seed)
    people = _people(3_000, rng)
    if not people:
        raise RuntimeError("the database has no grassroots unit with members: seed it first")
    names: dict[str, int] = defaultdict(int)
    for name in Unit.objects.values_list("name_folded", flat=True):
        names[name] += 1
    unique = {u.pk for u, _n in people if names[u.name_folded] == 1}
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Danh sách")
    bold = book.add_format({"bold": True})
    day = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_string(0, 0, "LIÊN ĐOÀN LAO ĐỘNG TỈNH", bold)
    sheet.write_string(1, 0, "DANH SÁCH SÁNG KIẾN ĐĂNG KÝ THAM GIA PHONG TRÀO", bold)
    for c, header in enumerate(HEADERS):
        sheet.write_string(3, c, header, bold)
    import datetime as dt

    today = dt.date.today()
    for i in range(rows):
        unit, member_names = people[i % len(people)]
        r = 4 + i
        authors = rng.sample(member_names, rng.choice((1, 1, 2, 3)))
        sheet.write_number(r, 0, i + 1)
        sheet.write_string(r, 1, f"{rng.choice(WORDS)} {rng.choice(OBJECTS)} — số {i + 1}")
        sheet.write_string(r, 2, ", ".join(authors) if i % 2 else "; ".join(authors))
        # Units are named by code, or by name where the name (diacritics ignored) is theirs
        # alone: an office names an ambiguous unit by its code.
        sheet.write_string(r, 3, unit.name if i % 3 == 0 and unit.pk in unique else unit.code)
        sheet.write_string(r, 4, FIELDS[i % len(FIELDS)])
        sheet.write_string(
            r, 5, f"Áp dụng tại {unit.name}: {rng.choice(OBJECTS)} làm việc ổn định hơn."
        )
        applied = today - dt.timedelta(days=rng.randint(1, 200))
        if i % 2:
            sheet.write_datetime(r, 6, dt.datetime(applied.year, applied.month, applied.day), day)
        else:
            sheet.write_string(r, 6, f"{applied.day}/{applied.month}/{applied.year}")
        amount = rng.randint(1, 500) * 100_000
        kind = i % 4
        if kind == 0:
            sheet.write_number(r, 7, amount)
        elif kind == 1:
            sheet.write_string(r, 7, f"{amount:,} đ".replace(",", "."))
        elif kind == 2:
            sheet.write_string(r, 7, f"{amount / 1_000_000:g} triệu".replace(".", ","))
        else:
            sheet.write_string(r, 7, f"{amount:,}".replace(",", "."))
    sheet.write_string(4 + rows, 1, "Tổng cộng")
    sheet.write_string(6 + rows, 6, "Người lập biểu")
    book.close()
    return len(people)


def _child(path: Path, naive_sample: int, folder: Path) -> dict[str, Any]:
    """Run the child. On SQLite it imports into a copy of the database and commits (a
    rolled-back transaction there keeps every page it changed in memory, which is not what a
    real import pays); on PostgreSQL it rolls back."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "sangkien.settings"}
    args = [sys.executable, "-m", "sangkien.imports.bench_child", str(path), str(naive_sample)]
    if connection.vendor == "sqlite":
        copy = folder / "bench-import.sqlite3"
        source = sqlite3.connect(str(settings.DATABASES["default"]["NAME"]))
        target = sqlite3.connect(str(copy))
        source.backup(target)
        source.close()
        target.close()
        env["DATABASE_URL"] = f"sqlite:///{copy}"
        args.append("--commit")
    proc = subprocess.run(
        args,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"the import child failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_import_suite(
    rows: int = 100_000, progress: Callable[[str], None] | None = None
) -> list[Result]:
    say = progress or (lambda _m: None)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sang-kien.xlsx"
        say(f"import: writing a {rows:,}-row spreadsheet")
        started = time.perf_counter()
        units = write_file(path, rows)
        written = time.perf_counter() - started
        size_mb = path.stat().st_size / 1e6
        say(f"import: importing it in a child process ({units:,} units named)")
        data = _child(path, NAIVE_SAMPLE, Path(folder))
    seconds = data["seconds"]
    naive_per_row = data["naive_seconds"] / max(data["naive_rows"], 1)
    result = Result(
        case=f"import.initiatives.{rows // 1000}k",
        runs=1,
        median_ms=round(seconds * 1000, 1),
        p95_ms=round(seconds * 1000, 1),
        naive_median_ms=round(naive_per_row * rows * 1000, 1),
        naive_p95_ms=round(naive_per_row * rows * 1000, 1),
        naive_runs=data["naive_rows"],
        note=(
            f"{rows:,} rows ({size_mb:.1f} MB .xlsx, {units:,} units, written in {written:.1f} s): "
            f"{data['summary']['imported']:,} imported, {data['summary']['rejected']:,} "
            f"rejected, {data['summary']['skipped']:,} skipped, {rows / seconds:,.0f} rows/s, "
            f"peak memory {data['peak_mb']:.0f} MB (child process, ru_maxrss; goal ≤ 60 s, "
            f"≤ 500 MB); {data.get('writes', 0)} write transactions, the longest "
            f"{data.get('longest_write', 0):.2f} s (what other writers may wait for); "
            "naive = create + submit per row through the services, "
            f"{data['naive_rows']} rows timed and extrapolated; on a copy of the database (SQLite) "
            "or rolled back (PostgreSQL)"
        ),
    )
    return [result]
