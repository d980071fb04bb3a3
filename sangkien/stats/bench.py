"""The benchmark suite behind `sangkien bench`.

Each case runs the way the product does it and, in the same run, the naive way peers use, and
reports the median, the p95 and the ratio. Cases read whatever the current database holds
(seed it first, or let the command seed it).

Cases so far (the foundation):
- `tree.subtree_count` — units below a unit: one range scan on the materialised path,
  against a recursive CTE walking parent links.
- `tree.ancestors` — the breadcrumb: ids read off the path (one query), against walking up
  parent by parent (one query per level).
- `members.first_page` / `members.deep_page` — 50 members of a province's subtree in
  Vietnamese name order: keyset pagination, against LIMIT/OFFSET at the same position.
- `units.search` — units whose folded name contains a folded query, first 20.
- `queue.<level>.first` / `queue.<level>.deep` (and `queue.<level>.pending.*` with the status
  filter "under review") — a page of 50 of the review queue, newest first, with each row's
  unit, campaign, field and authors as the page shows them, for the root (national
  administrator), the biggest level-1 unit, upper-level units and grassroots units: keyset
  pagination, against LIMIT/OFFSET at the same position; deep pages lie past the middle.
- `queue.<level>.counts` — the number of initiatives per status in the same queues, which
  the page loads separately (no naive way: it is the recount itself).
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from django.db import connection

from sangkien.core.pagination import encode_cursor, keyset_page
from sangkien.initiatives.models import Initiative, InitiativeQuerySet
from sangkien.initiatives.permissions import queue_for
from sangkien.initiatives.queries import NEWEST_FIRST, Filters, status_counts
from sangkien.orgs.models import Member, Unit, UnitKind
from sangkien.text import fold


@dataclass
class Result:
    case: str
    runs: int
    median_ms: float
    p95_ms: float
    naive_median_ms: float | None = None
    naive_p95_ms: float | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.naive_median_ms is None or self.median_ms <= 0:
            return None
        return self.naive_median_ms / self.median_ms

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ratio"] = round(self.ratio, 1) if self.ratio is not None else None
        return data


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def measure(fn: Callable[[Any], Any], args: list[Any]) -> tuple[float, float]:
    """Run fn once per argument (after one warm-up call); median and p95 in ms."""
    fn(args[0])
    samples = []
    for arg in args:
        start = time.perf_counter()
        fn(arg)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), _p95(samples)


class Disagreement(AssertionError):
    """The fast way and the naive way gave different answers: the benchmark is void."""


def _ids(value: Any) -> Any:
    if isinstance(value, list):
        return [getattr(v, "pk", v) for v in value]
    return value


def _case(name: str, fast: Callable, naive: Callable | None, args: list[Any], note: str = ""):
    if naive is not None:
        for arg in args[:5]:
            if _ids(fast(arg)) != _ids(naive(arg)):
                raise Disagreement(f"{name}: the two ways disagree for {arg!r}")
    median, p95 = measure(fast, args)
    result = Result(case=name, runs=len(args), median_ms=round(median, 3), p95_ms=round(p95, 3))
    if naive is not None:
        n_median, n_p95 = measure(naive, args)
        result.naive_median_ms = round(n_median, 3)
        result.naive_p95_ms = round(n_p95, 3)
    result.note = note
    return result


def _recursive_subtree_count(unit: Unit) -> int:
    table = Unit._meta.db_table
    sql = (
        f"WITH RECURSIVE sub(id) AS (SELECT id FROM {table} WHERE id = %s "  # noqa: S608
        f"UNION ALL SELECT u.id FROM {table} u JOIN sub ON u.parent_id = sub.id) "
        "SELECT count(*) FROM sub"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [unit.pk])
        return cursor.fetchone()[0]


def _walk_up(unit: Unit) -> list[Unit]:
    chain = []
    current = unit
    while current.parent_id is not None:
        current = Unit.objects.get(pk=current.parent_id)
        chain.append(current)
    return chain


def run_tree_suite(runs: int = 50, seed: int = 7) -> list[Result]:
    rng = random.Random(seed)
    results: list[Result] = []
    total_units = Unit.objects.count()
    if not total_units:
        return results
    upper_ids = list(
        Unit.objects.filter(
            kind__in=[UnitKind.UPPER, UnitKind.PROVINCIAL, UnitKind.SECTORAL]
        ).values_list("pk", flat=True)
    )
    leaf_ids = list(
        Unit.objects.filter(kind=UnitKind.GRASSROOTS).values_list("pk", flat=True)[:20000]
    )
    uppers = list(Unit.objects.filter(pk__in=rng.sample(upper_ids, min(runs, len(upper_ids)))))
    leaves = list(Unit.objects.filter(pk__in=rng.sample(leaf_ids, min(runs, len(leaf_ids)))))
    note = f"{total_units:,} units"
    results.append(
        _case(
            "tree.subtree_count",
            lambda u: Unit.objects.in_subtree(u).count(),
            _recursive_subtree_count,
            uppers,
            note,
        )
    )
    results.append(
        _case(
            "tree.ancestors",
            lambda u: list(u.ancestors()),
            lambda u: list(reversed(_walk_up(u))),
            leaves,
            note,
        )
    )
    words = [fold(u.name).split(" ")[-1] for u in leaves[:runs]] or ["cong"]
    results.append(
        _case(
            "units.search",
            lambda w: list(Unit.objects.filter(name_folded__contains=w).ordered()[:20]),
            None,
            words,
            note,
        )
    )
    results.extend(run_member_suite(runs=runs, seed=seed))
    return results


def run_member_suite(runs: int = 50, seed: int = 7) -> list[Result]:
    rng = random.Random(seed)
    biggest = (
        Unit.objects.exclude(kind=UnitKind.NATIONAL)
        .filter(depth=1)
        .order_by("-members_total")
        .first()
    )
    if biggest is None or biggest.members_total == 0:
        return []
    qs = Member.objects.in_subtree(biggest).current()
    total = biggest.members_total
    note = f"{total:,} members below {biggest.code}"
    results = [
        _case(
            "members.first_page",
            lambda _: (
                keyset_page(
                    qs.select_related("unit"), order=("sort_key", "id"), cursor=None, size=50
                ).items
            ),
            lambda _: list(qs.select_related("unit").order_by("sort_key", "id")[:50]),
            list(range(runs)),
            note,
        )
    ]
    positions = [
        rng.randrange(total // 2, max(total // 2 + 1, total - 60)) for _ in range(min(runs, 20))
    ]
    cursors = []
    for pos in positions:
        row = qs.order_by("sort_key", "id").values_list("sort_key", "id")[pos : pos + 1].first()
        cursors.append((pos, encode_cursor(list(row)) if row else None))
    results.append(
        _case(
            "members.deep_page",
            lambda pc: (
                keyset_page(
                    qs.select_related("unit"), order=("sort_key", "id"), cursor=pc[1], size=50
                ).items
            ),
            lambda pc: list(
                qs.select_related("unit").order_by("sort_key", "id")[pc[0] + 1 : pc[0] + 51]
            ),
            cursors,
            note + ", pages past the middle",
        )
    )
    return results


QUEUE_PAGE = 50


def _queue(unit: Unit, status: str) -> InitiativeQuerySet:
    """What the review-queue page lists for `unit`: the queue of its subtree, filtered."""
    qs = Filters(status=status).apply(queue_for(None, unit))
    return qs.select_related("unit", "campaign", "field").prefetch_related("authors")


def _queue_units(rng: random.Random, kind: str, count: int) -> list[Unit]:
    """`count` random units of a kind with members (grassroots: with something in their
    queue), and the one with the most members (the worst case)."""
    units = Unit.objects.filter(kind=kind, members_total__gt=0)
    if kind == UnitKind.GRASSROOTS:
        units = units.filter(pk__in=Initiative.objects.in_queue().values("unit_id"))
    ids = list(units.values_list("pk", flat=True))
    picked = set(rng.sample(ids, min(count, len(ids))))
    biggest = units.order_by("-members_total", "id").first()
    if biggest is not None:
        picked.add(biggest.pk)
    return list(Unit.objects.filter(pk__in=picked).order_by("id"))


def _queue_note(units: list[Unit], sizes: list[int]) -> str:
    if len(units) == 1:
        return f"{sizes[0]:,} in the queue below {units[0].code}"
    biggest = max(range(len(units)), key=sizes.__getitem__)
    return (
        f"{len(units)} units, {min(sizes):,}–{max(sizes):,} in the queue "
        f"(largest {units[biggest].code})"
    )


def run_queue_suite(runs: int = 50, seed: int = 7) -> list[Result]:
    """The review queue at every level, with and without the status filter."""
    if not Initiative.objects.exists():
        return []
    rng = random.Random(seed)
    root = Unit.objects.filter(parent=None).order_by("id").first()
    province = (
        Unit.objects.filter(depth=1, kind__in=[UnitKind.PROVINCIAL, UnitKind.SECTORAL])
        .order_by("-members_total", "id")
        .first()
    )
    levels = [
        ("national", [root]),
        ("province", [province]),
        ("upper", _queue_units(rng, UnitKind.UPPER, 9)),
        ("grassroots", _queue_units(rng, UnitKind.GRASSROOTS, 19)),
    ]
    results: list[Result] = []
    for level, units in levels:
        units = [u for u in units if u is not None]
        if not units:
            continue
        for status, label in (("", ""), ("submitted", ".pending")):
            queues = [_queue(u, status) for u in units]
            sizes = [q.count() for q in queues]
            note = _queue_note(units, sizes)
            name = f"queue.{level}{label}"
            firsts = [queues[i % len(queues)] for i in range(runs)]
            results.append(
                _case(
                    f"{name}.first",
                    lambda q: (
                        keyset_page(q, order=NEWEST_FIRST, cursor=None, size=QUEUE_PAGE).items
                    ),
                    lambda q: list(q.order_by(*NEWEST_FIRST)[:QUEUE_PAGE]),
                    firsts,
                    note,
                )
            )
            deep = []
            deep_runs = min(runs, 20)
            big_enough = [q for q, n in zip(queues, sizes, strict=True) if n > 2 * QUEUE_PAGE + 2]
            for i in range(deep_runs if big_enough else 0):
                q = big_enough[i % len(big_enough)]
                n = q.count()
                pos = rng.randrange(n // 2, n - QUEUE_PAGE - 1)
                after = q.order_by(*NEWEST_FIRST).values_list("id", flat=True)[pos : pos + 1]
                deep.append((q, pos, encode_cursor([after.get()])))
            if deep:
                results.append(
                    _case(
                        f"{name}.deep",
                        lambda d: (
                            keyset_page(
                                d[0], order=NEWEST_FIRST, cursor=d[2], size=QUEUE_PAGE
                            ).items
                        ),
                        lambda d: list(
                            d[0].order_by(*NEWEST_FIRST)[d[1] + 1 : d[1] + 1 + QUEUE_PAGE]
                        ),
                        deep,
                        note + ", pages past the middle",
                    )
                )
            if not status:
                results.append(
                    _case(
                        f"queue.{level}.counts",
                        lambda q: status_counts(q.prefetch_related(None)),
                        None,
                        [queues[i % len(queues)] for i in range(min(runs, 10))],
                        note,
                    )
                )
    return results


def markdown(results: list[Result], title: str) -> str:
    lines = [
        f"### {title}",
        "",
        "| case | runs | median ms | p95 ms | naive median ms | naive p95 ms | ratio | data |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        naive_m = f"{r.naive_median_ms:.2f}" if r.naive_median_ms is not None else "–"
        naive_p = f"{r.naive_p95_ms:.2f}" if r.naive_p95_ms is not None else "–"
        ratio = f"{r.ratio:.1f}×" if r.ratio is not None else "–"
        lines.append(
            f"| {r.case} | {r.runs} | {r.median_ms:.2f} | {r.p95_ms:.2f} | {naive_m} | {naive_p} "
            f"| {ratio} | {r.note} |"
        )
    return "\n".join(lines) + "\n"
