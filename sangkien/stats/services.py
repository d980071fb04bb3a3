"""Writes of the statistics pages — snapshots (ảnh chụp số liệu) and emulation clusters
(cụm thi đua) — and the two reads built on them: comparing figures, ranking a cluster.

Every figure comes from `figures` (one definition each): a snapshot stores what
`figures.report(...).as_dict()` gave on the day it was taken, a comparison sets two such
dictionaries side by side, a cluster is ranked from `figures.figures_for`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from sangkien.campaigns.models import Campaign, Phase
from sangkien.core import audit
from sangkien.core.errors import ValidationError
from sangkien.orgs.models import Unit, UnitStatus
from sangkien.text import clean_line

from . import figures, ranks
from .models import Cluster, Snapshot

# The keys of a report's dictionary that describe the report, not the unit.
REPORT_KEYS = ("campaign", "phase", "as_of", "tree")
# Figures a comparison sets side by side (every figure, in the order of FIGURES).
COMPARED = figures.FIGURES
MONEY = frozenset({"benefit_claimed_vnd", "benefit_valid_vnd"})
PERCENT = frozenset({"quota_percent"})
CLUSTER_NAME_MAX = 255
CLUSTER_UNITS_MAX = 500


def kind_of(figure: str) -> str:
    """How a figure is written: "money" (VND), "percent" or "count"."""
    if figure in MONEY:
        return "money"
    if figure in PERCENT:
        return "percent"
    return "count"


# -- snapshots ------------------------------------------------------------------------------


def report_data(report: figures.Report) -> dict[str, Any]:
    """A report as a snapshot stores it: {"unit": {...}, "children": [...], "campaign",
    "phase", "as_of", "tree"}, each unit's dictionary exactly `Figures.as_dict()`."""
    flat = report.as_dict()
    children = flat.pop("children")
    meta = {key: flat.pop(key) for key in REPORT_KEYS}
    return {**meta, "unit": flat, "children": children}


@transaction.atomic
def take_snapshot(
    unit: Unit,
    campaign: Campaign,
    phase: Phase | None,
    as_of: dt.date | None,
    kind: str,
    title: str,
    by: Any,
    *,
    tree: str = figures.CURRENT,
) -> Snapshot:
    """Freeze the figures of `unit` and its children as of `as_of` (today when None)."""
    title = clean_line(title or "")
    day = as_of or figures.today()
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("Give the snapshot a title.")
    elif len(title) > 255:
        errors["title"] = _("The title is at most 255 characters long.")
    if day > figures.today():
        errors["as_of"] = _("A snapshot is of a day that has come: choose today or earlier.")
    if kind not in Snapshot.Kind.values:
        errors["kind"] = _("Choose the kind of review.")
    if phase is not None and phase.campaign_id != campaign.pk:
        errors["phase"] = _("The phase is not one of the campaign's.")
    if tree not in (figures.CURRENT, figures.DATED):
        errors["tree"] = _("Choose the tree as it is now or as it stood on that day.")
    if errors:
        raise ValidationError(errors)
    report = figures.report(unit, campaign, phase=phase, as_of=day, tree=tree)
    snapshot = Snapshot.objects.create(
        unit=unit,
        campaign=campaign,
        phase=phase,
        kind=kind,
        title=title,
        as_of=day,
        data=report_data(report),
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    audit.record(
        actor=by,
        action="snapshot.take",
        obj=snapshot,
        after={
            "unit": unit.code,
            "campaign": campaign.code,
            "phase": phase.number if phase else None,
            "as_of": day,
            "kind": kind,
            "title": title,
            "tree": tree,
        },
    )
    return snapshot


@dataclass
class Difference:
    figure: str
    before: Any
    after: Any

    @property
    def kind(self) -> str:
        return kind_of(self.figure)

    @property
    def change(self) -> Any:
        """after − before; None when either side is missing (e.g. no quota)."""
        if self.before is None or self.after is None:
            return None
        out = self.after - self.before
        return round(out, 1) if isinstance(out, float) else out


@dataclass
class UnitComparison:
    code: str
    name: str
    is_unit: bool  # the snapshot's own unit (not one of its children)
    only_in: str | None  # "before" or "after" when the unit is in one side only
    differences: list[Difference]


def compare(before: dict[str, Any], after: dict[str, Any]) -> list[UnitComparison]:
    """Two stored reports side by side, unit by unit (the unit first, then the children in
    the order of `after`, then children found only in `before`): each figure's both values
    and the difference."""
    old = {d["unit"]: d for d in [before["unit"], *before.get("children", [])]}
    new = {d["unit"]: d for d in [after["unit"], *after.get("children", [])]}
    order = [after["unit"]["unit"]]
    order += [c["unit"] for c in after.get("children", []) if c["unit"] not in order]
    order += [c["unit"] for c in before.get("children", []) if c["unit"] not in order]
    if before["unit"]["unit"] not in order:
        order.insert(1, before["unit"]["unit"])
    out = []
    for code in order:
        a, b = old.get(code), new.get(code)
        name = (b or a or {}).get("name", code)
        diffs = [Difference(f, a.get(f) if a else None, b.get(f) if b else None) for f in COMPARED]
        only = None if (a and b) else ("after" if b else "before")
        out.append(UnitComparison(code, name, code == order[0], only, diffs))
    return out


# -- emulation clusters ---------------------------------------------------------------------


def parse_codes(text: str) -> list[str]:
    """Unit codes typed one per line or separated by commas, semicolons or spaces."""
    seen: list[str] = []
    for raw in (text or "").replace(",", " ").replace(";", " ").split():
        code = raw.strip().upper()
        if code and code not in seen:
            seen.append(code)
    return seen


def _clean_cluster(
    owner: Unit, name: str, units: Iterable[Unit], *, exclude: int | None
) -> tuple[str, list[Unit]]:
    name = clean_line(name or "")
    units = list({u.pk: u for u in units}.values())
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Give the cluster a name.")
    elif len(name) > CLUSTER_NAME_MAX:
        errors["name"] = _("The name is at most 255 characters long.")
    else:
        same = Cluster.objects.filter(owner=owner, name__iexact=name)
        if exclude is not None:
            same = same.exclude(pk=exclude)
        if same.exists():
            errors["name"] = _("%(unit)s already has a cluster of that name.") % {
                "unit": owner.name
            }
    outside = [u.code for u in units if not u.is_descendant_of(owner, include_self=False)]
    closed = [u.code for u in units if u.status != UnitStatus.ACTIVE]
    if outside:
        errors["units"] = _("Not below %(unit)s: %(codes)s.") % {
            "unit": owner.name,
            "codes": ", ".join(outside),
        }
    elif closed:
        errors["units"] = _("Closed units cannot be ranked: %(codes)s.") % {
            "codes": ", ".join(closed)
        }
    elif len(units) < 2:
        errors["units"] = _("A cluster ranks at least two units.")
    elif len(units) > CLUSTER_UNITS_MAX:
        errors["units"] = _("A cluster holds at most %(n)s units.") % {"n": CLUSTER_UNITS_MAX}
    if errors:
        raise ValidationError(errors)
    return name, units


def _cluster_state(cluster: Cluster) -> dict[str, Any]:
    return {
        "name": cluster.name,
        "owner": cluster.owner.code,
        "units": sorted(cluster.units.values_list("code", flat=True)),
    }


@transaction.atomic
def create_cluster(owner: Unit, *, name: str, units: Sequence[Unit], by: Any) -> Cluster:
    """A named group of units below `owner` (not `owner` itself) to rank against each other."""
    name, units = _clean_cluster(owner, name, units, exclude=None)
    cluster = Cluster.objects.create(
        owner=owner, name=name, created_by=by if getattr(by, "is_authenticated", False) else None
    )
    cluster.units.set(units)
    ranks.cluster_changed(cluster.pk)
    audit.record(actor=by, action="cluster.create", obj=cluster, after=_cluster_state(cluster))
    return cluster


@transaction.atomic
def update_cluster(cluster: Cluster, *, name: str, units: Sequence[Unit], by: Any) -> Cluster:
    cluster = Cluster.objects.select_for_update().select_related("owner").get(pk=cluster.pk)
    before = _cluster_state(cluster)
    name, units = _clean_cluster(cluster.owner, name, units, exclude=cluster.pk)
    cluster.name = name
    cluster.save(update_fields=["name", "updated_at"])
    cluster.units.set(units)
    ranks.cluster_changed(cluster.pk)
    audit.record(
        actor=by, action="cluster.update", obj=cluster, before=before, after=_cluster_state(cluster)
    )
    return cluster


@transaction.atomic
def delete_cluster(cluster: Cluster, *, by: Any) -> None:
    before = _cluster_state(cluster)
    audit.record(actor=by, action="cluster.delete", obj=cluster, before=before)
    pk = cluster.pk
    cluster.delete()
    ranks.cluster_changed(pk)


@dataclass
class ClusterRow:
    figures: figures.Figures
    ranks: dict[str, int | None]


def cluster_ranking(
    cluster: Cluster,
    campaign: Campaign,
    *,
    phase: Phase | None = None,
    as_of: dt.date | None = None,
    sort: str = "initiatives_valid",
) -> list[ClusterRow]:
    """The cluster's active units with their figures and their competition rank by each of
    `figures.RANK_MEASURES` within the cluster, best first by `sort`."""
    units = [u for u in cluster.units.all() if u.status == UnitStatus.ACTIVE]
    table = figures.figures_for(units, campaign, phase=phase, as_of=as_of)
    ranks = {
        m: figures.competition_ranks({pk: f.measure(m) for pk, f in table.items()})
        for m in figures.RANK_MEASURES
    }
    rows = [
        ClusterRow(f, {m: ranks[m][pk] for m in figures.RANK_MEASURES}) for pk, f in table.items()
    ]
    if sort not in figures.RANK_MEASURES:
        sort = "initiatives_valid"
    big = len(rows) + 1
    rows.sort(key=lambda r: (r.ranks[sort] or big, r.figures.unit.sort_key, r.figures.unit.pk))
    return rows
