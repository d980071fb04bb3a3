"""Reading the figures: one definition each (DESIGN.md, "Statistics"), for any unit,
campaign, optional phase and as-of date, always from the aggregates kept by `engine`.

- As of today (or later): the subtree's total row, read by key.
- As of an earlier date: the subtree's latest cumulative checkpoint (`TreeAsOf`) on or
  before that date, one read by key per unit (`checkpoints`).
- On the tree as it stood on that date (`tree="dated"`): the units' own day rows and the
  members' spans, gathered along the parent links of that date.

Ranks are standard competition ranks (1, 2, 2, 4), highest first, among the siblings, among
all active units at the same depth, and within each emulation cluster a unit belongs to, by
each of `RANK_MEASURES`. The dashboard, the API, the CLI, the snapshots and the exports all
read `report`, so their figures agree.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, TypedDict

from django.db.models import Sum
from django.utils import timezone

from sangkien.campaigns.models import Campaign, Phase
from sangkien.core.batches import chunks
from sangkien.core.numbers import percent
from sangkien.orgs.models import Unit, UnitKind, UnitStatus, last_successor

from . import checkpoints, ranks
from .models import COUNTERS, TREE_COUNTERS, Cluster, MemberSpan, OwnDay, TreeDay, TreeTotal

FIGURES = (
    "initiatives_submitted",
    "initiatives_valid",
    "initiatives_pending",
    "initiatives_invalid",
    "participating_members",
    "participating_units",
    "benefit_claimed_vnd",
    "benefit_valid_vnd",
    "quota",
    "quota_percent",
)
RANK_MEASURES = (
    "initiatives_valid",
    "participating_members",
    "benefit_valid_vnd",
    "quota_percent",
)
CURRENT, DATED = "current", "dated"

# A unit's rank by each of `RANK_MEASURES` (None where it has no value).
MeasureRanks = dict[str, int | None]


class Ranks(TypedDict, total=False):
    siblings: MeasureRanks
    level: MeasureRanks
    clusters: dict[str, MeasureRanks]  # by the cluster's name


@dataclass
class Figures:
    unit: Unit
    initiatives_submitted: int = 0
    initiatives_valid: int = 0
    initiatives_pending: int = 0
    initiatives_invalid: int = 0
    participating_members: int = 0
    participating_units: int = 0
    benefit_claimed_vnd: int = 0
    benefit_valid_vnd: int = 0
    quota: int | None = None
    quota_percent: Decimal | None = None
    target: int | None = None
    # Implementation plans: grassroots unions of the subtree with a plan for the campaign,
    # out of the active ones (set by `report` on the current tree).
    grassroots_with_plan: int | None = None
    grassroots_active: int | None = None
    plan_percent: Decimal | None = None
    ranks: Ranks = field(default_factory=lambda: Ranks())

    @classmethod
    def from_vector(cls, unit: Unit, vec: Sequence[int]) -> Figures:
        submitted, valid, invalid, claimed, benefit, members, units = vec
        return cls(
            unit=unit,
            initiatives_submitted=submitted,
            initiatives_valid=valid,
            initiatives_pending=submitted - valid - invalid,
            initiatives_invalid=invalid,
            participating_members=members,
            participating_units=units,
            benefit_claimed_vnd=claimed,
            benefit_valid_vnd=benefit,
        )

    def set_quota(self, assigned: int | None, target: int | None) -> None:
        self.quota = assigned
        self.target = target
        self.quota_percent = percent(self.initiatives_valid, assigned)

    def measure(self, name: str) -> Any:
        return getattr(self, name)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "unit": self.unit.code,
            "name": self.unit.name,
            "kind": self.unit.kind,
            "level": self.unit.depth,
        }
        for name in FIGURES:
            value = getattr(self, name)
            out[name] = float(value) if isinstance(value, Decimal) else value
        out["target"] = self.target
        out["grassroots_with_plan"] = self.grassroots_with_plan
        out["grassroots_active"] = self.grassroots_active
        out["plan_percent"] = float(self.plan_percent) if self.plan_percent is not None else None
        out["ranks"] = self.ranks
        return out


def competition_ranks(values: dict[int, Any]) -> dict[int, int | None]:
    """Standard competition ranks, highest first (1, 2, 2, 4); None values are not ranked."""
    ranked = sorted((v for v in values.values() if v is not None), reverse=True)
    first: dict[Any, int] = {}
    for i, v in enumerate(ranked):
        first.setdefault(v, i + 1)
    return {k: (first[v] if v is not None else None) for k, v in values.items()}


def today() -> dt.date:
    return timezone.localdate()


def _key(phase: Phase | None) -> int:
    return phase.pk if phase is not None else 0


def vectors(
    unit_ids: Sequence[int], campaign: Campaign, phase: Phase | None, as_of: dt.date | None
) -> dict[int, list[int]]:
    """The 7 subtree counters of each unit (current tree) as of the date."""
    key = _key(phase)
    out: dict[int, list[int]] = {}
    live = as_of is None or as_of >= today()
    for chunk in chunks(unit_ids):
        rows: Iterable[tuple[Any, ...]]
        if live:
            rows = TreeTotal.objects.filter(
                campaign=campaign, phase_key=key, unit_id__in=chunk
            ).values_list("unit_id", *TREE_COUNTERS)
        else:
            # The latest cumulative checkpoint on or before the date: one read per unit.
            assert as_of is not None  # not live
            rows = [
                (unit, *vec)
                for unit, vec in checkpoints.as_of(chunk, campaign.pk, key, as_of).items()
            ]
        for unit_id, *vec in rows:
            out[unit_id] = [int(v or 0) for v in vec]
    return out


def _with_quotas(figures: dict[int, Figures], campaign: Campaign, phase: Phase | None) -> None:
    from sangkien.quotas.services import quotas_for

    values = quotas_for(campaign, phase, list(figures))
    for unit_id, f in figures.items():
        q = values.get(unit_id)
        f.set_quota(q.assigned if q else None, q.target if q else None)


def figures_for(
    units: Sequence[Unit],
    campaign: Campaign,
    *,
    phase: Phase | None = None,
    as_of: dt.date | None = None,
) -> dict[int, Figures]:
    """Figures of each unit's subtree on the current tree, by unit id (no ranks)."""
    vecs = vectors([u.pk for u in units], campaign, phase, as_of)
    zero = [0] * len(TREE_COUNTERS)
    out = {u.pk: Figures.from_vector(u, vecs.get(u.pk, zero)) for u in units}
    _with_quotas(out, campaign, phase)
    return out


# -- ranks ----------------------------------------------------------------------------------


def _rank_values(figures: Iterable[Figures]) -> dict[str, dict[int, Any]]:
    return {m: {f.unit.pk: f.measure(m) for f in figures} for m in RANK_MEASURES}


def _level_table(
    depth: int, campaign: Campaign, phase: Phase | None, as_of: dt.date
) -> dict[str, list[Any]]:
    """Every active unit at `depth` as of a past date: each measure's values, highest first.
    (As of today the ranks are read from `RankCount` instead, and no level is read.)"""
    units = list(
        Unit.objects.filter(depth=depth, status=UnitStatus.ACTIVE).only(
            "pk", "code", "name", "kind", "depth"
        )
    )
    table = _rank_values(figures_for(units, campaign, phase=phase, as_of=as_of).values())
    return {
        m: sorted((v for v in values.values() if v is not None), reverse=True)
        for m, values in table.items()
    }


def _rank_in(sorted_desc: list[Any], value: Any) -> int | None:
    """1 + how many values are higher (the list is highest first)."""
    if value is None:
        return None
    lo, hi = 0, len(sorted_desc)
    while lo < hi:
        mid = (lo + hi) // 2
        if sorted_desc[mid] > value:
            lo = mid + 1
        else:
            hi = mid
    return lo + 1


def is_live(as_of: dt.date | None) -> bool:
    return as_of is None or as_of >= today()


def rank(
    figures: list[Figures],
    campaign: Campaign,
    phase: Phase | None,
    as_of: dt.date | None,
    *,
    siblings: list[Figures] | None = None,
    clusters: bool = True,
) -> None:
    """Fill `ranks` of each of `figures` (which are siblings unless `siblings` is given):
    among the siblings, among all units at the same level, and (unless the caller does it
    for several groups at once) in their clusters. As of today: `live_ranks`."""
    if is_live(as_of):
        live_ranks(figures, campaign, phase, siblings=figures if siblings is None else None)
        return
    day = as_of or today()
    among = siblings if siblings is not None else figures
    sibling_ranks = {m: competition_ranks(v) for m, v in _rank_values(among).items()}
    levels: dict[int, dict[str, list[Any]]] = {}
    for f in figures:
        depth = f.unit.depth
        if depth not in levels:
            levels[depth] = _level_table(depth, campaign, phase, day)
        f.ranks = {
            "siblings": {m: sibling_ranks[m].get(f.unit.pk) for m in RANK_MEASURES},
            "level": {m: _rank_in(levels[depth][m], f.measure(m)) for m in RANK_MEASURES},
        }
    if clusters:
        _cluster_ranks(figures, campaign, phase, day)


def live_ranks(
    rows: list[Figures],
    campaign: Campaign,
    phase: Phase | None,
    *,
    siblings: list[Figures] | None = None,
) -> None:
    """Ranks as of today of each of `rows`, read from `RankCount` in one query: among the
    siblings, at the level and in each cluster. `siblings`, when given, are rows that are all
    the active children of one unit: they rank among themselves from their own figures. The
    cost is that of the rows, whatever the size of their groups."""
    memberships: dict[int, list[int]] = defaultdict(list)
    for cluster_id, unit_id in Cluster.units.through.objects.filter(
        unit_id__in=[f.unit.pk for f in rows]
    ).values_list("cluster_id", "unit_id"):
        memberships[unit_id].append(cluster_id)
    names = (
        dict(
            Cluster.objects.filter(
                pk__in={c for ids in memberships.values() for c in ids}
            ).values_list("pk", "name")
        )
        if memberships
        else {}
    )
    among = {m: competition_ranks(v) for m, v in _rank_values(siblings or []).items()}
    together = {f.unit.pk for f in siblings or []}
    probes: list[tuple[int, int, int, int | None]] = []
    where: list[tuple[Figures, Literal["level", "siblings", "clusters"], int | None, str]] = []
    for f in rows:
        values = [ranks.encode(m, f.measure(m)) for m in RANK_MEASURES]
        groups: list[tuple[Literal["level", "siblings", "clusters"], int, int, int | None]] = [
            ("level", ranks.LEVEL, f.unit.depth, None)
        ]
        if f.unit.pk not in together:
            groups.append(("siblings", ranks.SIBLINGS, f.unit.parent_id or 0, None))
        groups += [("clusters", ranks.CLUSTER, c, c) for c in memberships.get(f.unit.pk, ())]
        for label, scope, grp, cluster in groups:
            for i, m in enumerate(RANK_MEASURES):
                probes.append((scope, grp, i, values[i]))
                where.append((f, label, cluster, m))
    found = ranks.ranks_above(campaign.pk, _key(phase), probes)
    for f in rows:
        f.ranks = {"siblings": {}, "level": {}}
        if f.unit.pk in together:
            f.ranks["siblings"] = {m: among[m][f.unit.pk] for m in RANK_MEASURES}
    for (f, label, cluster, m), value in zip(where, found, strict=True):
        if label == "clusters":
            assert cluster is not None  # every cluster group carries its cluster
            f.ranks.setdefault("clusters", {}).setdefault(names[cluster], {})[m] = value
        else:
            f.ranks[label][m] = value


def _cluster_ranks(
    figures: list[Figures], campaign: Campaign, phase: Phase | None, as_of: dt.date | None
) -> None:
    """Ranks in the clusters as of a past date, from the figures of each cluster's active
    units (as `RankCount` counts them as of today)."""
    ids = [f.unit.pk for f in figures]
    memberships = list(
        Cluster.units.through.objects.filter(unit_id__in=ids).values_list("cluster_id", "unit_id")
    )
    if not memberships:
        return
    clusters = Cluster.objects.in_bulk({c for c, _u in memberships})
    members: dict[int, list[int]] = defaultdict(list)
    for cluster_id, unit_id in Cluster.units.through.objects.filter(
        cluster_id__in=list(clusters), unit__status=UnitStatus.ACTIVE
    ).values_list("cluster_id", "unit_id"):
        members[cluster_id].append(unit_id)
    units = Unit.objects.in_bulk({u for ids in members.values() for u in ids})
    everyone = figures_for(list(units.values()), campaign, phase=phase, as_of=as_of)
    by_unit = {f.unit.pk: f for f in figures}
    for cluster_id, unit_id in memberships:
        f = by_unit[unit_id]
        others = [everyone[pk] for pk in members[cluster_id]]
        f.ranks.setdefault("clusters", {})[clusters[cluster_id].name] = {
            m: _above(others, m, f.measure(m)) for m in RANK_MEASURES
        }


def _above(rows: list[Figures], m: str, value: Any) -> int | None:
    if value is None:
        return None
    return 1 + sum(1 for g in rows if g.measure(m) is not None and g.measure(m) > value)


# -- the report -----------------------------------------------------------------------------


@dataclass
class Children:
    """Which children a report carries: a page of `size` (all of them when None), in the
    order of a figure (`sort`, highest first unless not `descending`; the order of the tree
    when empty; "name" for names), of those whose name or code holds `q` (tone marks and đ
    ignored)."""

    page: int = 1
    size: int | None = None
    sort: str = ""
    descending: bool = True
    q: str = ""

    @property
    def everything(self) -> bool:
        return self.size is None and not self.q.strip()


@dataclass
class Leaders:
    """The best and the lagging children by one measure (`by`): the completion rate when any
    child has a quota, else the count of valid initiatives. A unit is in one list only; ties
    keep the order of the tree."""

    by: str
    best: list[Figures] = field(default_factory=list)
    lagging: list[Figures] = field(default_factory=list)


@dataclass
class Report:
    unit: Figures
    children: list[Figures]
    campaign: Campaign
    phase: Phase | None
    as_of: dt.date
    tree: str
    # How many children match (all pages), and which page this is.
    children_total: int = 0
    page: int = 1
    pages: int = 1
    # Among all the children (whatever the page), when the report was asked for them.
    leaders: Leaders | None = None

    def as_dict(self) -> dict[str, Any]:
        out = {
            "campaign": self.campaign.code,
            "phase": self.phase.number if self.phase else None,
            "as_of": self.as_of.isoformat(),
            "tree": self.tree,
            **self.unit.as_dict(),
        }
        out["children"] = [c.as_dict() for c in self.children]
        out["children_total"] = self.children_total
        out["children_page"] = self.page
        out["children_pages"] = self.pages
        return out


UNIT_FIELDS = (
    "pk", "code", "name", "name_folded", "kind", "depth", "path", "parent_id", "status", "sort_key",
)  # fmt: skip
# Figures a page of children is sorted by on the server: from the total rows ...
SORT_TOTALS = {
    "initiatives_submitted": "submitted",
    "initiatives_valid": "valid",
    "initiatives_invalid": "invalid",
    "participating_members": "members",
    "participating_units": "units",
    "benefit_claimed_vnd": "claimed",
    "benefit_valid_vnd": "benefit",
}
# ... and from the rank entries (the quota as `quotas_for` gives it).
SORT_ENTRIES = {"quota": "quota", "target": "target", "quota_percent": "quota_tenths"}
SORTS = frozenset({*SORT_TOTALS, *SORT_ENTRIES, "initiatives_pending", "name"})


def children_of(unit: Unit) -> list[Unit]:
    return list(
        Unit.objects.filter(parent=unit, status=UnitStatus.ACTIVE)
        .only(*UNIT_FIELDS)
        .order_by("sort_key", "id")
    )


def _matching(unit: Unit, q: str) -> Any:
    from django.db.models import Q

    from sangkien.text import fold

    qs = Unit.objects.filter(parent=unit, status=UnitStatus.ACTIVE)
    text = q.strip()
    if text:
        qs = qs.filter(Q(name_folded__contains=fold(text)) | Q(code__icontains=text))
    return qs


def _pages(total: int, size: int | None, page: int) -> tuple[int, int]:
    pages = max(1, -(-total // size)) if size else 1
    return pages, min(max(1, page), pages)


def children_page(
    unit: Unit, campaign: Campaign, phase: Phase | None, query: Children
) -> tuple[list[Unit], int, int, int]:
    """(children on the page, how many match, the page, the number of pages), as of today,
    sorted in the database by the maintained rows: the cost is the children's index rows,
    and the page's units."""
    qs = _matching(unit, query.q)
    total = qs.count()
    pages, page = _pages(total, query.size, query.page)
    ordered = _ordered(qs, campaign, phase, query)
    if query.size:
        start = (page - 1) * query.size
        ordered = ordered[start : start + query.size]
    return list(ordered), total, page, pages


def _ordered(qs: Any, campaign: Campaign, phase: Phase | None, query: Children) -> Any:
    """`qs` (units) in the order `query` asks, by the maintained rows as of today."""
    from django.db.models import F, IntegerField, OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    from .models import RankEntry

    key = _key(phase)
    order: list[Any] = []
    if query.sort == "name":
        order = ["-sort_key", "-id"] if query.descending else ["sort_key", "id"]
    elif query.sort in SORTS:
        totals = TreeTotal.objects.filter(campaign=campaign, phase_key=key, unit_id=OuterRef("pk"))
        if query.sort in SORT_ENTRIES:
            rows = RankEntry.objects.filter(
                campaign=campaign, phase_key=key, unit_id=OuterRef("pk")
            )
            value: Any = Subquery(rows.values(SORT_ENTRIES[query.sort])[:1])
        elif query.sort == "initiatives_pending":
            pending = totals.annotate(p=F("submitted") - F("valid") - F("invalid")).values("p")
            value = Coalesce(Subquery(pending[:1]), Value(0), output_field=IntegerField())
        else:
            value = Coalesce(
                Subquery(totals.values(SORT_TOTALS[query.sort])[:1]),
                Value(0),
                output_field=IntegerField(),
            )
        qs = qs.annotate(sort_value=value)
        by = F("sort_value")
        order = [
            by.desc(nulls_last=True) if query.descending else by.asc(nulls_last=True),
            "sort_key",
            "id",
        ]
    else:
        order = ["sort_key", "id"]
    return qs.only(*UNIT_FIELDS).order_by(*order)


LEADERS = 5


def leaders_among(children: list[Figures], n: int = LEADERS) -> Leaders:
    """`Leaders` of already computed children (past dates, the dated tree)."""
    with_quota = any(c.quota_percent is not None for c in children)
    by = "quota_percent" if with_quota else "initiatives_valid"
    ranked = [c for c in children if c.measure(by) is not None]
    if len(ranked) < 2:
        return Leaders(by)
    best = sorted(ranked, key=lambda f: (-f.measure(by), f.unit.sort_key, f.unit.pk))[:n]
    chosen = {f.unit.pk for f in best}
    low = sorted(ranked, key=lambda f: (f.measure(by), f.unit.sort_key, f.unit.pk))
    return Leaders(by, best, [f for f in low if f.unit.pk not in chosen][:n])


def live_leaders(unit: Unit, campaign: Campaign, phase: Phase | None, n: int = LEADERS) -> Leaders:
    """`Leaders` as of today, sorted in the database from the maintained rows: two pages of
    `n` children, whatever their number."""
    from .models import RankEntry

    active = Unit.objects.filter(parent=unit, status=UnitStatus.ACTIVE)
    with_quota = RankEntry.objects.filter(
        campaign=campaign, phase_key=_key(phase), unit__in=active, quota_tenths__isnull=False
    ).count()
    by = "quota_percent" if with_quota else "initiatives_valid"
    if (with_quota or active.count()) < 2:
        return Leaders(by)
    top = list(_ordered(active, campaign, phase, Children(sort=by))[:n])
    # Lowest first, units without a value last: twice `n` leaves `n` once the best are out.
    low = list(_ordered(active, campaign, phase, Children(sort=by, descending=False))[: 2 * n])
    table = figures_for([*top, *low], campaign, phase=phase)
    best = [table[u.pk] for u in top if table[u.pk].measure(by) is not None]
    chosen = {f.unit.pk for f in best}
    lagging = [table[u.pk] for u in low if u.pk not in chosen]
    return Leaders(by, best, [f for f in lagging if f.measure(by) is not None][:n])


def _page_in_python(
    children: list[Figures], query: Children
) -> tuple[list[Figures], int, int, int]:
    """The same page of already computed children (past dates, the dated tree)."""
    from sangkien.text import fold

    rows = children
    text = query.q.strip()
    if text:
        folded, upper = fold(text), text.upper()
        rows = [f for f in rows if folded in f.unit.name_folded or upper in f.unit.code.upper()]
    if query.sort == "name":
        rows = sorted(rows, key=lambda f: (f.unit.sort_key, f.unit.pk), reverse=query.descending)
    elif query.sort in SORTS:
        present = [f for f in rows if f.measure(query.sort) is not None]
        missing = [f for f in rows if f.measure(query.sort) is None]
        present.sort(key=lambda f: f.measure(query.sort), reverse=query.descending)
        rows = present + missing
    total = len(rows)
    pages, page = _pages(total, query.size, query.page)
    if query.size:
        rows = rows[(page - 1) * query.size : page * query.size]
    return rows, total, page, pages


def report(
    unit: Unit,
    campaign: Campaign,
    *,
    phase: Phase | None = None,
    as_of: dt.date | None = None,
    tree: str = CURRENT,
    with_children: bool = True,
    children: Children | None = None,
    with_leaders: bool = False,
) -> Report:
    """The figures of `unit` with its ranks, and of each of its children (all of them, or the
    page `children` asks for) with theirs, and the `leaders` among all its children when
    asked. As of today it reads the unit's rows and the page's, never those of its siblings
    or its level."""
    day = as_of or today()
    query = children or Children()
    if tree == DATED:
        dated = dated_report(unit, campaign, phase=phase, as_of=day)
        if with_leaders:
            dated.leaders = leaders_among(dated.children)
        rows, dated.children_total, dated.page, dated.pages = _page_in_python(dated.children, query)
        dated.children = rows
        return dated
    if not is_live(as_of):
        return _past_report(unit, campaign, phase, day, with_children, query, with_leaders)
    if not with_children:
        kids, total, page, pages = [], 0, 1, 1
    elif query.everything and not query.sort:
        kids = children_of(unit)
        total, page, pages = len(kids), 1, 1
    else:
        kids, total, page, pages = children_page(unit, campaign, phase, query)
    table = figures_for([unit, *kids], campaign, phase=phase, as_of=day)
    me = table[unit.pk]
    rows = [table[k.pk] for k in kids]
    # All the active children at once rank among themselves from their own figures.
    live_ranks([me, *rows], campaign, phase, siblings=rows if query.everything else None)
    _with_plans([me, *rows], campaign)
    out = Report(me, rows, campaign, phase, day, CURRENT, total, page, pages)
    if with_leaders:
        out.leaders = (
            leaders_among(rows) if query.everything else live_leaders(unit, campaign, phase)
        )
    return out


def _past_report(
    unit: Unit,
    campaign: Campaign,
    phase: Phase | None,
    day: dt.date,
    with_children: bool,
    query: Children,
    with_leaders: bool = False,
) -> Report:
    """As of a past date: the checkpoints of the unit, its siblings and its children (one
    read each, whatever the number of days); the ranks among the level still read the
    level's checkpoints whole (not yet bounded)."""
    kids = children_of(unit) if with_children else []
    siblings = children_of(unit.parent) if unit.parent is not None else [unit]
    if unit.pk not in {s.pk for s in siblings}:
        siblings.append(unit)
    table = figures_for([*siblings, *kids], campaign, phase=phase, as_of=day)
    sibling_figures = [table[s.pk] for s in siblings]
    rank([table[unit.pk]], campaign, phase, day, siblings=sibling_figures, clusters=False)
    children = [table[k.pk] for k in kids]
    rank(children, campaign, phase, day, clusters=False)
    _cluster_ranks([table[unit.pk], *children], campaign, phase, day)
    rows, total, page, pages = _page_in_python(children, query)
    _with_plans([table[unit.pk], *rows], campaign)
    out = Report(table[unit.pk], rows, campaign, phase, day, CURRENT, total, page, pages)
    if with_leaders:
        out.leaders = leaders_among(children)
    return out


def _with_plans(rows: list[Figures], campaign: Campaign) -> None:
    from sangkien.plans.services import plan_coverage

    coverage = plan_coverage(campaign, [f.unit for f in rows])
    for f in rows:
        with_plan, active = coverage.get(f.unit.pk, (0, 0))
        f.grassroots_with_plan, f.grassroots_active = with_plan, active
        f.plan_percent = percent(with_plan, active)


# -- the tree as it stood ------------------------------------------------------------------


def dated_report(unit: Unit, campaign: Campaign, *, phase: Phase | None, as_of: dt.date) -> Report:
    """Figures on the tree as it stood on `as_of`: a unit closed by then counts for its
    successor, one still open counts where it stood; read from units' own day rows and the
    members' spans (slower than the current tree: it gathers the whole campaign)."""
    from sangkien.orgs.services import tree_on

    versions = tree_on(as_of)
    if unit.pk not in versions:
        return Report(Figures(unit), [], campaign, phase, as_of, DATED)
    units = Unit.objects.in_bulk(set(versions) | {unit.pk})
    closed = {
        pk: (successor, closed_on)
        for pk, successor, closed_on in Unit.objects.filter(
            closed_on__isnull=False, closed_on__lte=as_of
        ).values_list("pk", "successor_id", "closed_on")
    }

    def answering(pk: int) -> int | None:
        """The unit standing on `as_of` that answers for `pk` (None if none does)."""
        last = last_successor(pk, lambda u: None if u in versions else closed.get(u, (None,))[0])
        return last if last in versions else None

    parent = {pk: v.parent_id for pk, v in versions.items()}
    kids: dict[int, list[int]] = defaultdict(list)
    for pk, p in parent.items():
        if p is not None:
            kids[p].append(pk)

    def ancestors(pk: int) -> list[int]:
        out = []
        node: int | None = pk
        while node is not None:
            out.append(node)
            node = parent.get(node)
        return out

    key = _key(phase)
    own = OwnDay.objects.filter(campaign=campaign, day__lte=as_of)
    if key:
        own = own.filter(phase_key=key)
    totals: dict[int, list[int]] = defaultdict(lambda: [0] * len(TREE_COUNTERS))
    grassroots_submitted: dict[int, int] = defaultdict(int)
    kind = {pk: v.kind for pk, v in versions.items()}
    for unit_id, *vec in (
        own.values("unit_id")
        .annotate(**{c: Sum(c) for c in COUNTERS})
        .values_list("unit_id", *COUNTERS)
    ):
        home = answering(unit_id)
        if home is None:
            continue
        chain = ancestors(home)
        for node in chain:
            for i, v in enumerate(vec):
                totals[node][i] += int(v or 0)
        for node in chain:
            if kind.get(node) == UnitKind.GRASSROOTS:
                grassroots_submitted[node] += int(vec[0] or 0)
                break
    for g, submitted in grassroots_submitted.items():
        if submitted > 0:
            for node in ancestors(g):
                totals[node][6] += 1
    spans = MemberSpan.objects.filter(campaign=campaign, start__lte=as_of).exclude(end__lte=as_of)
    if key:
        spans = spans.filter(phase_key=key)
    members: dict[int, set[int]] = defaultdict(set)
    for member, unit_id in spans.values_list("member_id", "unit_id"):
        home = answering(unit_id)
        if home is not None:
            for node in ancestors(home):
                members[node].add(member)
    for node, found in members.items():
        totals[node][5] = len(found)

    def make(pk: int) -> Figures:
        f = Figures.from_vector(units[pk], totals.get(pk, [0] * len(TREE_COUNTERS)))
        return f

    child_ids = sorted(kids.get(unit.pk, []), key=lambda pk: (units[pk].sort_key, pk))
    table = {pk: make(pk) for pk in [unit.pk, *child_ids]}
    up = parent.get(unit.pk)
    sibling_ids = kids.get(up, [unit.pk]) if up else [unit.pk]
    for pk in sibling_ids:
        table.setdefault(pk, make(pk))
    _with_quotas(table, campaign, phase)
    # Sibling ranks only: the unit among its siblings of that date, each child among the rest.
    for group, ranked in ((sibling_ids, [unit.pk]), (child_ids, child_ids)):
        ranks = {
            m: competition_ranks({pk: table[pk].measure(m) for pk in group}) for m in RANK_MEASURES
        }
        for pk in ranked:
            table[pk].ranks = {"siblings": {m: ranks[m][pk] for m in RANK_MEASURES}}
    return Report(table[unit.pk], [table[pk] for pk in child_ids], campaign, phase, as_of, DATED)


# -- the curve ------------------------------------------------------------------------------


def series(
    unit: Unit, campaign: Campaign, *, phase: Phase | None = None, until: dt.date | None = None
) -> list[tuple[dt.date, int, int]]:
    """(day, valid, submitted) as of each day something changed, cumulative, for the chart."""
    rows = TreeDay.objects.filter(campaign=campaign, phase_key=_key(phase), unit=unit)
    if until is not None:
        rows = rows.filter(day__lte=until)
    out: list[tuple[dt.date, int, int]] = []
    valid = submitted = 0
    for day, v, s in rows.order_by("day").values_list("day", "valid", "submitted"):
        valid += v
        submitted += s
        out.append((day, valid, submitted))
    return out
