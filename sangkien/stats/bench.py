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

Statistics (`run_stats_suite`, `run_dashboard_suite`, `run_submit_suite`):
- `stats.api.<class>` (and `.phase`, `.as_of`) — `GET /api/v1/stats` through Django's test
  client as a national administrator, for the root, the largest and a small level-1 unit,
  upper-level and grassroots units: figures, children and ranks read from the aggregates.
  The naive way is the recount peers do: the same figures for the unit and each of its
  children in one SQL query over the base tables (`recount_figures`). Before timing, every
  unit's answer is compared figure by figure with the recount; any difference voids the run.
  `.as_of` (a past date) has no status-based recount.
- `stats.report.<class>` — the same figures read with `figures.report()`, without HTTP.
- `stats.api.<class>.cold` — the API call with Django's cache emptied before each call (the
  ranks are read from `RankCount` and use no cache since decision 0021; the case stays to
  show that nothing is warmed).
- `stats.dashboard.<class>` — the dashboard page.
- `submit.engine_on` / `submit.engine_off` — `submit_initiative` on a fresh draft of a
  grassroots unit deep in the tree, with the aggregates kept and with `engine.record` made a
  no-op; each run is rolled back, so the bench leaves the data as it found it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from unittest import mock

from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from sangkien.accounts import services as accounts
from sangkien.accounts.models import Role, RoleGrant
from sangkien.campaigns.models import Campaign, Phase
from sangkien.core.bench import Result, measure, p95
from sangkien.core.pagination import encode_cursor, keyset_page
from sangkien.formats import input_date
from sangkien.initiatives import services as initiative_services
from sangkien.initiatives.models import Author, Initiative, InitiativeQuerySet
from sangkien.initiatives.permissions import queue_for
from sangkien.initiatives.queries import NEWEST_FIRST, Filters, status_counts
from sangkien.orgs.models import PATH_END, SEGMENT, Member, Unit, UnitKind, UnitStatus
from sangkien.text import fold

from . import figures, recount
from . import queue as stats_queue
from .models import QUEUE_COUNTERS, TreeTotal


class Disagreement(AssertionError):
    """The fast way and the naive way gave different answers: the benchmark is void."""


def _ids(value: Any) -> Any:
    if isinstance(value, list):
        return [getattr(v, "pk", v) for v in value]
    return value


def _case(
    name: str, fast: Callable, naive: Callable | None, args: list[Any], note: str = ""
) -> Result:
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
            lambda w: list(Unit.objects.filter(name_folded__contains=w).in_order()[:20]),
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
    levels: list[tuple[str, list[Unit | None]]] = [
        ("national", [root]),
        ("province", [province]),
        ("upper", [*_queue_units(rng, UnitKind.UPPER, 9)]),
        ("grassroots", [*_queue_units(rng, UnitKind.GRASSROOTS, 19)]),
    ]
    results: list[Result] = []
    for level, found in levels:
        units = [u for u in found if u is not None]
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
                # The counts per status as the page reads them (the queue rows), against
                # the count over the initiatives that the page made before.
                pairs = [(units[i % len(units)], queues[i % len(queues)]) for i in range(runs)]
                results.append(
                    _case(
                        f"queue.{level}.counts",
                        lambda p: stats_queue.counts([p[0].path]),
                        lambda p: {
                            s: n
                            for s, n in status_counts(p[1].prefetch_related(None)).items()
                            if s in QUEUE_COUNTERS
                        },
                        pairs,
                        note,
                    )
                )
    return results


# -- statistics ---------------------------------------------------------------------------

# The figures the recount gives, named as the API names them.
RECOUNTED = (
    "initiatives_submitted",
    "initiatives_valid",
    "initiatives_pending",
    "initiatives_invalid",
    "participating_members",
    "participating_units",
    "benefit_claimed_vnd",
    "benefit_valid_vnd",
)
# Samples of the recount per case: a big subtree's recount takes seconds.
RECOUNT_RUNS_BIG = 5
RECOUNT_RUNS_SMALL = 20


def _recount_sql(unit: Unit, campaign_id: int, phase_id: int | None) -> tuple[str, list[Any]]:
    """The figures of `unit` and of each of its children, straight from the base tables in
    one statement, as peers write it: the subtree's units by the path range (a unit closed
    into another counts at its `successor`), their initiatives that count today (submitted,
    not withdrawn; status as it is now), the authors for the distinct members, and each
    child found as the prefix of the unit's path one level down."""
    units = Unit._meta.db_table
    initiatives = Initiative._meta.db_table
    authors = Author._meta.db_table
    child = len(unit.path) + SEGMENT
    phase = "AND i.phase_id = %s" if phase_id else ""
    node = f"substr(c.path, 1, {child})"
    # Table names come from the models and lengths are integers; values are parameters.
    sql = f"""
WITH home AS (
    SELECT e.id AS unit_id, e.id AS home_id FROM {units} e
    WHERE e.path >= %s AND e.path < %s AND e.successor_id IS NULL
    UNION ALL
    SELECT u.id, e.id FROM {units} e JOIN {units} u ON u.successor_id = e.id
    WHERE e.path >= %s AND e.path < %s
),
counted AS MATERIALIZED (
    SELECT i.id, i.status, i.benefit_claimed_vnd AS claimed,
           CASE WHEN i.status = 'valid' THEN COALESCE(i.benefit_valid_vnd, 0) ELSE 0 END
               AS benefit,
           e.path,
           CASE WHEN e.kind = 'grassroots' THEN e.path
                WHEN e.kind = 'group' AND p.kind = 'grassroots' THEN p.path END AS g_path
    FROM home h
    JOIN {units} e ON e.id = h.home_id
    LEFT JOIN {units} p ON p.id = e.parent_id
    JOIN {initiatives} i ON i.unit_id = h.unit_id
    WHERE i.campaign_id = %s AND i.submitted_at IS NOT NULL AND i.status <> 'withdrawn' {phase}
),
figures AS (
    SELECT 0 AS whole, {node} AS node, COUNT(*) AS submitted,
           SUM(CASE WHEN c.status = 'valid' THEN 1 ELSE 0 END) AS valid,
           SUM(CASE WHEN c.status = 'invalid' THEN 1 ELSE 0 END) AS invalid,
           SUM(c.claimed) AS claimed, SUM(c.benefit) AS benefit,
           COUNT(DISTINCT CASE WHEN substr(c.g_path, 1, {child}) = {node} THEN c.g_path END)
               AS units
    FROM counted c GROUP BY {node}
    UNION ALL
    SELECT 1, '', COUNT(*),
           SUM(CASE WHEN c.status = 'valid' THEN 1 ELSE 0 END),
           SUM(CASE WHEN c.status = 'invalid' THEN 1 ELSE 0 END),
           SUM(c.claimed), SUM(c.benefit),
           COUNT(DISTINCT CASE WHEN c.g_path >= %s THEN c.g_path END)
    FROM counted c
),
members AS (
    SELECT 0 AS whole, {node} AS node, COUNT(DISTINCT a.member_id) AS members
    FROM counted c JOIN {authors} a ON a.initiative_id = c.id
    WHERE a.member_id IS NOT NULL GROUP BY {node}
    UNION ALL
    SELECT 1, '', COUNT(DISTINCT a.member_id)
    FROM counted c JOIN {authors} a ON a.initiative_id = c.id
    WHERE a.member_id IS NOT NULL
)
SELECT f.whole, f.node, f.submitted, f.valid, f.invalid, f.claimed, f.benefit, f.units,
       m.members
FROM figures f LEFT JOIN members m ON m.whole = f.whole AND m.node = f.node
"""  # noqa: S608
    end = unit.path + PATH_END
    params: list[Any] = [unit.path, end, unit.path, end, campaign_id]
    if phase_id:
        params.append(phase_id)
    params.append(unit.path)
    return sql, params


def recount_figures(
    unit: Unit, campaign_id: int, phase_id: int | None = None
) -> dict[str, dict[str, int]]:
    """The recount: {"": the unit's figures, child path: that child's figures}, in one query
    over the base tables (never the aggregates)."""
    sql, params = _recount_sql(unit, campaign_id, phase_id)
    out: dict[str, dict[str, int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for whole, node, submitted, valid, invalid, claimed, benefit, units, members in cursor:
            submitted, valid, invalid = int(submitted or 0), int(valid or 0), int(invalid or 0)
            out["" if whole else node] = {
                "initiatives_submitted": submitted,
                "initiatives_valid": valid,
                "initiatives_pending": submitted - valid - invalid,
                "initiatives_invalid": invalid,
                "participating_members": int(members or 0),
                "participating_units": int(units or 0),
                "benefit_claimed_vnd": int(claimed or 0),
                "benefit_valid_vnd": int(benefit or 0),
            }
    return out


def compare_with_recount(
    served: dict[str, Any], recounted: dict[str, dict[str, int]], paths: dict[str, str]
) -> list[str]:
    """Every figure of the unit and its children that the API serves differently from the
    recount; `paths` maps unit codes to paths."""
    zero = dict.fromkeys(RECOUNTED, 0)
    rows = [(served["unit"], served, recounted.get("", zero))]
    for child in served["children"]:
        rows.append((child["unit"], child, recounted.get(paths[child["unit"]], zero)))
    out = []
    for code, figures_served, figures_recounted in rows:
        for name in RECOUNTED:
            if figures_served[name] != figures_recounted[name]:
                out.append(
                    f"{code} {served['campaign']} phase {served['phase']} {name}: "
                    f"served {figures_served[name]}, recount {figures_recounted[name]}"
                )
    return out


@dataclass
class StatsRequest:
    """One `GET /api/v1/stats` of the suite."""

    unit: Unit
    campaign: Campaign
    phase: Phase | None = None
    as_of: dt.date | None = None

    def params(self) -> dict[str, str]:
        out = {"unit": self.unit.code, "campaign": self.campaign.code}
        if self.phase is not None:
            out["phase"] = str(self.phase.number)
        if self.as_of is not None:
            out["as_of"] = self.as_of.isoformat()
        return out


def _samples(
    fn: Callable[[Any], Any], args: list[Any], before: Callable | None = None
) -> list[float]:
    """Times of fn(arg) in ms, after one warm-up call; `before` runs untimed before each."""
    fn(args[0])
    samples: list[float] = []
    for arg in args:
        if before is not None:
            before()
        start = time.perf_counter()
        fn(arg)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def _result(name: str, samples: list[float], note: str = "", **extra: Any) -> Result:
    return Result(
        case=name,
        runs=len(samples),
        median_ms=round(statistics.median(samples), 3),
        p95_ms=round(p95(samples), 3),
        note=note,
        **extra,
    )


def _with_naive(result: Result, naive: list[float], differences: int) -> Result:
    result.naive_median_ms = round(statistics.median(naive), 3)
    result.naive_p95_ms = round(p95(naive), 3)
    result.naive_runs = len(naive)
    result.differences = differences
    return result


def stats_campaign() -> Campaign | None:
    """The campaign the statistics cases read: the national one (owned by the root) if any,
    else the one with the most counted initiatives."""
    campaign = Campaign.objects.filter(owner__parent=None).order_by("id").first()
    if campaign is not None:
        return campaign
    best = (
        TreeTotal.objects.filter(phase_key=0, unit__parent=None)
        .order_by("-submitted")
        .values_list("campaign_id", flat=True)
        .first()
    )
    return Campaign.objects.filter(pk=best).first() if best else Campaign.objects.first()


def stats_units(campaign: Campaign, seed: int = 7) -> list[tuple[str, list[Unit]]]:
    """The representative units, by class: the root, the largest and a small level-1 unit
    (by members), upper-level units (9 random and the largest) and grassroots units with
    something counted (19 random and the one with the most)."""
    rng = random.Random(seed)
    active = Unit.objects.filter(status=UnitStatus.ACTIVE).filter(
        path__startswith=campaign.owner.path
    )
    counted = TreeTotal.objects.filter(campaign=campaign, phase_key=0, submitted__gt=0)
    classes: list[tuple[str, list[Unit]]] = []
    root = active.filter(pk=campaign.owner_id).first()
    if root is not None:
        classes.append(("root", [root]))
    level1 = active.filter(depth=root.depth + 1 if root else 1, members_total__gt=0)
    largest = level1.order_by("-members_total", "id").first()
    if largest is not None:
        classes.append(("level1.largest", [largest]))
        small = (
            level1.filter(pk__in=counted.values("unit_id"))
            .exclude(pk=largest.pk)
            .order_by("members_total", "id")
            .first()
        )
        if small is not None:
            classes.append(("level1.small", [small]))
    for kind, label, count in (
        (UnitKind.UPPER, "upper", 9),
        (UnitKind.GRASSROOTS, "grassroots", 19),
    ):
        pool = active.filter(kind=kind)
        if kind == UnitKind.GRASSROOTS:
            pool = pool.filter(pk__in=counted.values("unit_id"))
        ids = list(pool.values_list("pk", flat=True))
        picked = set(rng.sample(ids, min(count, len(ids))))
        if kind == UnitKind.GRASSROOTS:
            top = counted.filter(unit__in=pool).order_by("-submitted", "unit_id").first()
            if top is not None:
                picked.add(top.unit_id)
        else:
            top_unit = pool.order_by("-members_total", "id").first()
            if top_unit is not None:
                picked.add(top_unit.pk)
        if picked:
            classes.append((label, list(Unit.objects.filter(pk__in=picked).order_by("id"))))
    return classes


def past_day(campaign: Campaign) -> dt.date:
    """A day in the middle of the campaign's period so far."""
    end = min(campaign.ends_on, timezone.localdate() - dt.timedelta(days=1))
    return campaign.starts_on + (end - campaign.starts_on) / 2


def national_admin() -> Any:
    """A user holding the admin role on the root (the demo `admin`), or None."""
    grant = (
        RoleGrant.objects.filter(role=Role.ADMIN, unit__parent=None)
        .select_related("user")
        .order_by("id")
        .first()
    )
    return grant.user if grant is not None else None


def _stats_client() -> Client:
    """A test client signed in as a national administrator (one is made when none exists;
    the suite runs in a transaction that is rolled back)."""
    user = national_admin()
    if user is None:
        root = Unit.objects.filter(parent=None).order_by("id").first()
        if root is None:
            raise RuntimeError("The statistics bench needs a unit tree: seed one first.")
        user = accounts.create_user(
            username=f"bench-{uuid.uuid4().hex[:8]}",
            password=uuid.uuid4().hex,
            by=None,
            check_password=False,
        )
        accounts.grant_role(user, role=Role.ADMIN, unit=root, by=None)
    client = Client()
    client.force_login(user)
    return client


def _get(client: Client, url: str, params: dict[str, str]) -> Any:
    response = client.get(url, params)
    if response.status_code != 200:
        raise AssertionError(f"GET {url} {params}: {response.status_code}")
    return response


def _subtree_note(campaign: Campaign, units: list[Unit]) -> str:
    totals = dict(
        TreeTotal.objects.filter(campaign=campaign, phase_key=0, unit__in=units).values_list(
            "unit_id", "submitted"
        )
    )
    sizes = [totals.get(u.pk, 0) for u in units]
    kids = Unit.objects.filter(parent__in=units, status=UnitStatus.ACTIVE).count()
    if len(units) == 1:
        return f"{units[0].code}: {sizes[0]:,} submitted in {campaign.code}, {kids:,} children"
    return (
        f"{len(units)} units, {min(sizes):,}–{max(sizes):,} submitted in {campaign.code}, "
        f"{kids:,} children in all"
    )


class StatsDisagreement(Disagreement):
    """The API and the recount differ: the figures served are wrong, or the recount is."""

    def __init__(self, differences: list[str]) -> None:
        self.differences = differences
        shown = "\n".join(differences[:20])
        super().__init__(f"{len(differences)} figures differ from the recount:\n{shown}")


def run_stats_suite(
    runs: int = 50,
    seed: int = 7,
    progress: Callable[[str], None] | None = None,
    recount_runs: tuple[int, int] = (RECOUNT_RUNS_BIG, RECOUNT_RUNS_SMALL),
    dashboard: bool = True,
) -> list[Result]:
    """`GET /api/v1/stats` per unit class against the recount in the same run, the figures
    without HTTP, the cold rank cache and the dashboard. Raises StatsDisagreement (after
    timing everything) when any figure differs from the recount."""
    campaign = stats_campaign()
    if campaign is None or not Initiative.objects.exists():
        return []
    say = progress or (lambda _msg: None)
    phase = campaign.phases.order_by("number").first()
    day = past_day(campaign)
    results: list[Result] = []
    differences: list[str] = []
    with transaction.atomic():
        client = _stats_client()
        classes = stats_units(campaign, seed)
        paths = {}
        for _label, units in classes:
            for kid in Unit.objects.filter(parent__in=units).values_list("code", "path"):
                paths[kid[0]] = kid[1]
        for label, units in classes:
            big = label in ("root", "level1.largest", "level1.small")
            n_recount = min(runs, recount_runs[0] if big else recount_runs[1])
            note = _subtree_note(campaign, units)
            variants = [("", None, None), (".phase", phase, None), (".as_of", None, day)]
            for suffix, ph, as_of in variants:
                if suffix == ".phase" and ph is None:
                    continue
                name = f"stats.api.{label}{suffix}"
                say(f"{name}: {len(units)} units")
                requests = [StatsRequest(u, campaign, ph, as_of) for u in units]
                args = [requests[i % len(requests)] for i in range(runs)]
                samples = _samples(lambda r: _get(client, "/api/v1/stats", r.params()), args)
                extra = (
                    f", phase {ph.number}"
                    if ph
                    else f", as of {input_date(as_of)}"
                    if as_of
                    else ""
                )
                result = _result(name, samples, note + extra)
                if as_of is None:
                    # Every unit's answer against the recount, then the recount timed.
                    found = []
                    for r in requests:
                        served = _get(client, "/api/v1/stats", r.params()).json()
                        recounted = recount_figures(r.unit, campaign.pk, ph.pk if ph else None)
                        found += compare_with_recount(served, recounted, paths)
                    differences += found
                    say(f"{name}: recount, {n_recount} runs")
                    naive = _samples(
                        lambda r: recount_figures(
                            r.unit, campaign.pk, r.phase.pk if r.phase else None
                        ),
                        args[:n_recount],
                    )
                    _with_naive(result, naive, len(found))
                    if not suffix:
                        report_samples = _samples(
                            lambda r: figures.report(r.unit, r.campaign, phase=r.phase), args
                        )
                        results.append(result)
                        result = _with_naive(
                            _result(f"stats.report.{label}", report_samples, note),
                            naive,
                            len(found),
                        )
                results.append(result)
            cold = _samples(
                lambda r: _get(client, "/api/v1/stats", r.params()),
                [StatsRequest(units[i % len(units)], campaign) for i in range(min(runs, 5))],
                before=cache.clear,
            )
            results.append(_result(f"stats.api.{label}.cold", cold, note + ", cache emptied first"))
            if dashboard:
                results.append(_dashboard_case(client, label, units, campaign, runs, note, say))
        transaction.set_rollback(True)
    if differences:
        raise StatsDisagreement(differences)
    return results


def _dashboard_case(
    client: Client,
    label: str,
    units: list[Unit],
    campaign: Campaign,
    runs: int,
    note: str,
    say: Callable[[str], None],
) -> Result:
    """The dashboard page of each unit, as its officers open it."""
    args = [units[i % len(units)] for i in range(runs)]
    say(f"stats.dashboard.{label}")
    samples = _samples(
        lambda u: _get(client, f"/stats/{u.code}/", {"campaign": campaign.code}), args
    )
    return _result(f"stats.dashboard.{label}", samples, note)


# -- submitting ---------------------------------------------------------------------------


def submit_place() -> tuple[Campaign, Unit] | None:
    """An open campaign and the deepest active grassroots unit it covers that has members
    (the unit with the most members among the deepest)."""
    day = timezone.localdate()
    for campaign in Campaign.objects.filter(starts_on__lte=day, ends_on__gte=day).order_by(
        "-owner__depth", "id"
    ):
        units = Unit.objects.filter(
            kind=UnitKind.GRASSROOTS,
            status=UnitStatus.ACTIVE,
            members_total__gt=0,
            path__startswith=campaign.owner.path,
        )
        deepest = units.order_by("-depth", "-members_total", "id").first()
        if deepest is not None and campaign.fields.exists():
            return campaign, deepest
    return None


def _draft(campaign: Campaign, unit: Unit, member: Member, field_code: str) -> Initiative:
    day = timezone.localdate()
    return initiative_services.create_initiative(
        campaign=campaign,
        unit=unit,
        by=None,
        authors=[{"member": member, "share": 100}],
        title=f"Sáng kiến đo thời gian nộp {uuid.uuid4().hex[:12]}",
        field=field_code,
        problem="Thời gian chờ ở công đoạn đóng gói dài.",
        description="Sắp xếp lại băng chuyền và thêm một bàn đóng gói.",
        conditions="Xưởng đóng gói có điện ba pha.",
        first_applied_on=day - dt.timedelta(days=30),
        benefit_claimed_vnd=12_000_000,
        benefit_method="Tiết kiệm giờ công trong một năm.",
        recognition_body="Hội đồng sáng kiến cơ sở",
        recognition_number="01/QĐ-HĐSK",
        recognition_date=day - dt.timedelta(days=10),
    )


def run_submit_suite(
    runs: int = 50, seed: int = 7, progress: Callable[[str], None] | None = None
) -> list[Result]:
    """`submit_initiative` on a fresh draft (made untimed), with the aggregates kept and with
    `engine.record` a no-op, alternating; every run is rolled back."""
    place = submit_place()
    if place is None:
        return []
    campaign, unit = place
    say = progress or (lambda _msg: None)
    rng = random.Random(seed)
    member_ids = list(Member.objects.filter(unit=unit).values_list("pk", flat=True)[:5000])
    if not member_ids:
        return []
    field_code = campaign.fields.order_by("position", "id").values_list("code", flat=True)[0]
    samples: dict[bool, list[float]] = {True: [], False: []}
    say(f"submit: {runs} runs each way below {unit.code} (level {unit.depth})")
    for i in range(runs * 2 + 2):
        engine_on = i % 2 == 0
        member = Member.objects.get(pk=rng.choice(member_ids))
        with transaction.atomic():
            draft = _draft(campaign, unit, member, field_code)
            with contextlib.ExitStack() as stack:
                if not engine_on:
                    stack.enter_context(
                        mock.patch("sangkien.stats.engine.record", lambda *a, **k: None)
                    )
                start = time.perf_counter()
                submitted = initiative_services.submit_initiative(draft, by=None)
                elapsed = (time.perf_counter() - start) * 1000
            if submitted.status != "submitted":
                raise AssertionError(f"submit left {submitted.status}")
            transaction.set_rollback(True)
        if i >= 2:  # the first of each way warms up
            samples[engine_on].append(elapsed)
    note = (
        f"{campaign.code}, below {unit.code} (level {unit.depth}, "
        f"{unit.members_total:,} members); each run rolled back (commit not timed)"
    )
    on = _result("submit.engine_on", samples[True], note)
    off = _result("submit.engine_off", samples[False], note + ", engine.record a no-op")
    return [on, off]


def rebuild_stats(progress: Callable[[str], None] | None = None) -> float:
    """Rebuild every campaign's aggregates from the base tables (`recount.rebuild`), as the
    seed does after loading; seconds taken."""
    say = progress or (lambda _msg: None)
    say("rebuilding the statistics aggregates")
    start = time.perf_counter()
    recount.rebuild(progress=lambda c: say(f"statistics rebuilt for {c.code}"))
    return round(time.perf_counter() - start, 1)
