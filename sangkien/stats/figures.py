"""Reading the figures: one definition each (DESIGN.md, "Statistics"), for any unit,
campaign, optional phase and as-of date, always from the aggregates kept by `engine`.

- As of today (or later): the subtree's total row, read by key.
- As of an earlier date: the sum of the subtree's day rows up to that date.
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
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Sum
from django.utils import timezone

from sangkien.campaigns.models import Campaign, Phase
from sangkien.orgs.models import Unit, UnitKind, UnitStatus

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
    ranks: dict[str, dict[str, int | None]] = field(default_factory=dict)

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


def percent(part: int, whole: int | None) -> Decimal | None:
    """part / whole × 100 with one decimal (half up); None without a whole."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


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


def _chunks(ids: Sequence[int], size: int = 900) -> Iterable[list[int]]:
    ids = list(ids)
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def vectors(
    unit_ids: Sequence[int], campaign: Campaign, phase: Phase | None, as_of: dt.date | None
) -> dict[int, list[int]]:
    """The 7 subtree counters of each unit (current tree) as of the date."""
    key = _key(phase)
    out: dict[int, list[int]] = {}
    live = as_of is None or as_of >= today()
    for chunk in _chunks(unit_ids):
        if live:
            rows = TreeTotal.objects.filter(
                campaign=campaign, phase_key=key, unit_id__in=chunk
            ).values_list("unit_id", *TREE_COUNTERS)
        else:
            rows = (
                TreeDay.objects.filter(
                    campaign=campaign, phase_key=key, unit_id__in=chunk, day__lte=as_of
                )
                .values("unit_id")
                .annotate(**{c: Sum(c) for c in TREE_COUNTERS})
                .values_list("unit_id", *TREE_COUNTERS)
            )
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
    depth: int, campaign: Campaign, phase: Phase | None, as_of: dt.date | None
) -> dict[str, list[Any]]:
    """Every active unit at `depth`: each measure's values, highest first. Cached for
    SANGKIEN_RANK_CACHE_SECONDS (the deepest levels hold tens of thousands of units)."""
    day = as_of if as_of is not None and as_of < today() else None
    cache_key = f"sangkien:level:{campaign.pk}:{_key(phase)}:{depth}:{day}"
    seconds = getattr(settings, "SANGKIEN_RANK_CACHE_SECONDS", 60)
    if seconds:
        cached = cache.get(cache_key)
        if cached is not None:
            return cached
    units = list(
        Unit.objects.filter(depth=depth, status=UnitStatus.ACTIVE).only(
            "pk", "code", "name", "kind", "depth"
        )
    )
    table = _rank_values(figures_for(units, campaign, phase=phase, as_of=day).values())
    out = {
        m: sorted((v for v in values.values() if v is not None), reverse=True)
        for m, values in table.items()
    }
    if seconds:
        cache.set(cache_key, out, seconds)
    return out


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
    for several groups at once) in their clusters."""
    among = siblings if siblings is not None else figures
    sibling_ranks = {m: competition_ranks(v) for m, v in _rank_values(among).items()}
    levels: dict[int, dict[str, list[Any]]] = {}
    for f in figures:
        depth = f.unit.depth
        if depth not in levels:
            levels[depth] = _level_table(depth, campaign, phase, as_of)
        f.ranks = {
            "siblings": {m: sibling_ranks[m].get(f.unit.pk) for m in RANK_MEASURES},
            "level": {m: _rank_in(levels[depth][m], f.measure(m)) for m in RANK_MEASURES},
        }
    if clusters:
        _cluster_ranks(figures, campaign, phase, as_of)


def _cluster_ranks(
    figures: list[Figures], campaign: Campaign, phase: Phase | None, as_of: dt.date | None
) -> None:
    ids = [f.unit.pk for f in figures]
    memberships = list(
        Cluster.units.through.objects.filter(unit_id__in=ids).values_list("cluster_id", "unit_id")
    )
    if not memberships:
        return
    clusters = Cluster.objects.in_bulk({c for c, _u in memberships})
    members: dict[int, list[int]] = defaultdict(list)
    for cluster_id, unit_id in Cluster.units.through.objects.filter(
        cluster_id__in=list(clusters)
    ).values_list("cluster_id", "unit_id"):
        members[cluster_id].append(unit_id)
    units = Unit.objects.in_bulk({u for ids in members.values() for u in ids})
    everyone = figures_for(list(units.values()), campaign, phase=phase, as_of=as_of)
    for cluster in clusters.values():
        table = {pk: everyone[pk] for pk in members[cluster.pk]}
        ranks = {m: competition_ranks(v) for m, v in _rank_values(table.values()).items()}
        for f in figures:
            if f.unit.pk in table:
                f.ranks.setdefault("clusters", {})[cluster.name] = {
                    m: ranks[m][f.unit.pk] for m in RANK_MEASURES
                }


# -- the report -----------------------------------------------------------------------------


@dataclass
class Report:
    unit: Figures
    children: list[Figures]
    campaign: Campaign
    phase: Phase | None
    as_of: dt.date
    tree: str

    def as_dict(self) -> dict[str, Any]:
        out = {
            "campaign": self.campaign.code,
            "phase": self.phase.number if self.phase else None,
            "as_of": self.as_of.isoformat(),
            "tree": self.tree,
            **self.unit.as_dict(),
        }
        out["children"] = [c.as_dict() for c in self.children]
        return out


UNIT_FIELDS = ("pk", "code", "name", "kind", "depth", "path", "parent_id", "status", "sort_key")


def children_of(unit: Unit) -> list[Unit]:
    return list(
        Unit.objects.filter(parent=unit, status=UnitStatus.ACTIVE)
        .only(*UNIT_FIELDS)
        .order_by("sort_key", "id")
    )


def report(
    unit: Unit,
    campaign: Campaign,
    *,
    phase: Phase | None = None,
    as_of: dt.date | None = None,
    tree: str = CURRENT,
    with_children: bool = True,
) -> Report:
    """The figures of `unit` with its ranks, and of each of its children with theirs."""
    day = as_of or today()
    if tree == DATED:
        return dated_report(unit, campaign, phase=phase, as_of=day)
    kids = children_of(unit) if with_children else []
    siblings = children_of(unit.parent) if unit.parent_id else [unit]
    if unit.pk not in {s.pk for s in siblings}:
        siblings.append(unit)
    table = figures_for([*siblings, *kids], campaign, phase=phase, as_of=day)
    sibling_figures = [table[s.pk] for s in siblings]
    rank([table[unit.pk]], campaign, phase, day, siblings=sibling_figures, clusters=False)
    children = [table[k.pk] for k in kids]
    rank(children, campaign, phase, day, clusters=False)
    _cluster_ranks([table[unit.pk], *children], campaign, phase, day)
    _with_plans([table[unit.pk], *children], campaign)
    return Report(table[unit.pk], children, campaign, phase, day, CURRENT)


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
        seen = set()
        while pk not in versions and pk in closed and pk not in seen:
            seen.add(pk)
            successor = closed[pk][0]
            if successor is None:
                return None
            pk = successor
        return pk if pk in versions else None

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
    sibling_ids = kids.get(parent[unit.pk], [unit.pk]) if parent.get(unit.pk) else [unit.pk]
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
