"""Exact, live ranks read by index: how many units of a ranking group stand above a value.

A unit's rank by a measure in a group (its siblings, the units of its level, an emulation
cluster) is the standard competition rank, 1 + the number of active units of the group with
a greater value. `RankCount` keeps, per (campaign, phase key, group, measure), how many units
hold each value, so a rank is a sum over an index range, whatever the size of the group;
`RankEntry` records what each unit holds there. `sync` moves both by ±1 in the transaction
that changes a unit's totals, its quota, its parent, its level or whether it is active.

So that no range holds thousands of rows (validated benefits in đồng are nearly all
distinct), a value counts in three tiers (`cells`): the exact value inside its bucket of
three significant digits, that bucket inside its bucket of one significant digit, and that
one. A rank adds, at each tier, the rows above the value inside the value's own bucket of the
tier above: at most about a hundred rows for the two upper tiers, and the units sharing three
significant digits with the value for the exact one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection

from sangkien.core.numbers import percent
from sangkien.orgs.models import Unit, UnitStatus

from .models import Cluster, RankCount, RankEntry, TreeTotal

# The ranked measures, in the order of their ids in `RankCount.measure`.
MEASURES = (
    "initiatives_valid",
    "participating_members",
    "benefit_valid_vnd",
    "quota_percent",
)
SIBLINGS, LEVEL, CLUSTER = 0, 1, 2
SCOPES = {"siblings": SIBLINGS, "level": LEVEL}
TIERS = 3
_MAX_DIGITS = 19  # bigint


def sig(value: int, digits: int) -> int:
    """A code of `value` rounded down to `digits` significant digits, in the same order as
    the values (below 10**digits: the value itself)."""
    if value < 10**digits:
        return value
    exponent = len(str(value)) - digits
    return exponent * 10**digits + value // 10**exponent


def cells(value: int) -> list[tuple[int, int, int]]:
    """(tier, bucket, key) of the three rows a value counts in."""
    three, one = sig(value, 3), sig(value, 1)
    return [(0, three, value), (1, one, three), (2, 0, one)]


def encode(measure: str, value: Any) -> int | None:
    """The integer a measure's value is ranked by (the quota percent in tenths)."""
    if value is None:
        return None
    if measure == "quota_percent":
        return int(Decimal(value) * 10)
    return int(value)


def tenths(valid: int, assigned: int | None) -> int | None:
    return encode("quota_percent", percent(valid, assigned))


# -- reading ----------------------------------------------------------------------------------


def ranks_above(
    campaign_id: int, phase_key: int, probes: Sequence[tuple[int, int, int, int | None]]
) -> list[int | None]:
    """For each probe (scope, group, measure id, value or None): 1 + the units of the group
    above the value (None for None), in one query."""
    out: list[int | None] = [None if p[3] is None else 1 for p in probes]
    rows = []
    for i, (scope, grp, measure, value) in enumerate(probes):
        if value is None or value < 0:
            continue
        for tier, bucket, key in cells(value):
            rows.append((i, scope, grp, measure, tier, bucket, key))
    if not rows:
        return out
    qn = connection.ops.quote_name
    table = qn(RankCount._meta.db_table)
    # The probe values are integers computed here; they are written into the statement
    # (a page of children makes more probes than a statement may have parameters).
    values = ", ".join("(" + ", ".join(str(int(v)) for v in row) + ")" for row in rows)
    sql = (
        f"WITH probe (p, scope, grp, measure, tier, bucket, value) AS (VALUES {values}) "  # noqa: S608
        f"SELECT probe.p, SUM(r.units) FROM probe JOIN {table} r "
        "ON r.campaign_id = %s AND r.phase_key = %s AND r.scope = probe.scope "
        "AND r.grp = probe.grp AND r.measure = probe.measure AND r.tier = probe.tier "
        "AND r.bucket = probe.bucket AND r.value > probe.value GROUP BY probe.p"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [campaign_id, phase_key])
        for p, above in cursor.fetchall():
            out[p] = 1 + int(above or 0)
    return out


# -- keeping the rows -------------------------------------------------------------------------


# parent, depth, active, the four ranked values (valid, members, benefit, quota tenths),
# quota, target.
Entry = tuple[int, int, bool, int, int, int, int | None, int | None, int | None]


def _values(entry: Entry) -> tuple[int, int, int, int | None]:
    """The four ranked values of an entry."""
    return entry[3:7]


def _quota_of(campaign_id: int, keys: Iterable[int], unit_ids: list[int]) -> dict[tuple, Any]:
    from sangkien.quotas.services import quotas_for

    out: dict[tuple[int, int], Any] = {}
    for key in keys:
        for unit_id, q in quotas_for(campaign_id, key or None, unit_ids).items():
            out[(key, unit_id)] = q
    return out


def _chunks(ids: Sequence[int], size: int = 500) -> Iterable[list[int]]:
    ids = sorted(ids)
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def sync(campaign_id: int, keys: Iterable[int], unit_ids: Iterable[int]) -> None:
    """Bring the rank rows of these units (for the phase keys) in line with their totals,
    quotas and places in the tree as they stand now in this transaction."""
    keys = sorted(set(keys))
    for chunk in _chunks(list(set(unit_ids))):
        _sync(campaign_id, keys, chunk)


def wanted_entries(
    campaign_id: int, keys: list[int], unit_ids: list[int]
) -> dict[tuple[int, int], Entry]:
    """What each unit should hold now, by (phase key, unit)."""
    units = {
        pk: (parent or 0, depth, status == UnitStatus.ACTIVE)
        for pk, parent, depth, status in Unit.objects.filter(pk__in=unit_ids).values_list(
            "pk", "parent_id", "depth", "status"
        )
    }
    totals = {
        (key, unit): (valid, members, benefit)
        for key, unit, valid, members, benefit in TreeTotal.objects.filter(
            campaign_id=campaign_id, phase_key__in=keys, unit_id__in=unit_ids
        ).values_list("phase_key", "unit_id", "valid", "members", "benefit")
    }
    quotas = _quota_of(campaign_id, keys, unit_ids)
    out: dict[tuple[int, int], Entry] = {}
    for key in keys:
        for unit in unit_ids:
            if unit not in units:
                continue
            valid, members, benefit = totals.get((key, unit), (0, 0, 0))
            parent, depth, active = units[unit]
            q = quotas.get((key, unit))
            assigned = q.assigned if q else None
            out[(key, unit)] = (
                parent,
                depth,
                active,
                valid,
                members,
                benefit,
                tenths(valid, assigned),
                assigned,
                q.target if q else None,
            )
    return out


def _sync(campaign_id: int, keys: list[int], unit_ids: list[int]) -> None:
    stored_qs = RankEntry.objects.filter(
        campaign_id=campaign_id, phase_key__in=keys, unit_id__in=unit_ids
    )
    if connection.vendor == "postgresql":
        stored_qs = stored_qs.select_for_update().order_by("pk")
    stored: dict[tuple[int, int], Entry] = {
        (key, unit): tuple(rest)
        for key, unit, *rest in stored_qs.values_list("phase_key", "unit_id", *ENTRY_COLS[3:])
    }
    wanted = wanted_entries(campaign_id, keys, unit_ids)
    changed = [k for k, e in wanted.items() if stored.get(k) != e]
    gone = [k for k in stored if k not in wanted]
    if not changed and not gone:
        return
    moved = [k for k in {*changed, *gone} if _counted(stored.get(k)) != _counted(wanted.get(k))]
    deltas: dict[tuple[int, ...], int] = defaultdict(int)
    if moved:
        clusters: dict[int, list[int]] = defaultdict(list)
        for cluster_id, unit in Cluster.units.through.objects.filter(
            unit_id__in={u for _k, u in moved}
        ).values_list("cluster_id", "unit_id"):
            clusters[unit].append(cluster_id)
        for k in moved:
            key, unit = k
            for entry, step in ((stored.get(k), -1), (wanted.get(k), 1)):
                for row in _rows(entry, clusters.get(unit, ())):
                    deltas[(key, *row)] += step
    _add_counts(campaign_id, {k: v for k, v in deltas.items() if v})
    _write_entries(campaign_id, {k: wanted[k] for k in changed})
    for key, unit in gone:
        RankEntry.objects.filter(campaign_id=campaign_id, phase_key=key, unit_id=unit).delete()


def _counted(entry: Entry | None) -> tuple | None:
    """What of an entry `RankCount` holds: nothing for an inactive unit."""
    if entry is None or not entry[2]:
        return None
    return (entry[0], entry[1], *_values(entry))


def _rows(entry: Entry | None, clusters: Iterable[int]) -> Iterable[tuple[int, ...]]:
    """(scope, group, measure, tier, bucket, key) of each `RankCount` row the entry counts in."""
    if entry is None or not entry[2]:
        return
    groups = [(SIBLINGS, entry[0]), (LEVEL, entry[1]), *((CLUSTER, c) for c in clusters)]
    for measure, value in enumerate(_values(entry)):
        if value is None or value <= 0:
            continue
        for scope, grp in groups:
            for tier, bucket, cell in cells(value):
                yield (scope, grp, measure, tier, bucket, cell)


COUNT_KEYS = ("campaign_id", "phase_key", "scope", "grp", "measure", "tier", "bucket", "value")


def _add_counts(campaign_id: int, deltas: dict[tuple[int, ...], int]) -> None:
    """Add the deltas to `RankCount` (rows in key order, one statement per 500) and drop the
    rows that reach 0."""
    if not deltas:
        return
    qn = connection.ops.quote_name
    table = qn(RankCount._meta.db_table)
    cols = ", ".join(qn(c) for c in (*COUNT_KEYS, "units"))
    conflict = ", ".join(qn(c) for c in COUNT_KEYS)
    rows = sorted((campaign_id, *k, v) for k, v in deltas.items())
    emptied: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 500):
            part = rows[start : start + 500]
            marks = ", ".join(["(" + ", ".join(["%s"] * 9) + ")"] * len(part))
            cursor.execute(
                f"INSERT INTO {table} ({cols}) VALUES {marks} "  # noqa: S608
                f"ON CONFLICT ({conflict}) DO UPDATE SET units = {table}.units + excluded.units "
                "RETURNING id, units",
                [v for row in part for v in row],
            )
            emptied += [pk for pk, units in cursor.fetchall() if units <= 0]
        for start in range(0, len(emptied), 500):
            ids = emptied[start : start + 500]
            cursor.execute(
                f"DELETE FROM {table} WHERE id IN ({', '.join(['%s'] * len(ids))})",  # noqa: S608
                ids,
            )


ENTRY_COLS = (
    "campaign_id",
    "phase_key",
    "unit_id",
    "parent",
    "depth",
    "active",
    "valid",
    "members",
    "benefit",
    "quota_tenths",
    "quota",
    "target",
)


def _write_entries(campaign_id: int, entries: dict[tuple[int, int], Entry]) -> None:
    if not entries:
        return
    qn = connection.ops.quote_name
    table = qn(RankEntry._meta.db_table)
    cols = ", ".join(qn(c) for c in ENTRY_COLS)
    sets = ", ".join(f"{qn(c)} = excluded.{qn(c)}" for c in ENTRY_COLS[3:])
    rows = sorted((campaign_id, key, unit, *e) for (key, unit), e in entries.items())
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 500):
            part = rows[start : start + 500]
            marks = ", ".join(["(" + ", ".join(["%s"] * len(ENTRY_COLS)) + ")"] * len(part))
            cursor.execute(
                f"INSERT INTO {table} ({cols}) VALUES {marks} "  # noqa: S608
                f"ON CONFLICT (campaign_id, phase_key, unit_id) DO UPDATE SET {sets}",
                [v for row in part for v in row],
            )


def campaign_keys(campaign_id: int) -> list[int]:
    from sangkien.campaigns.models import Phase

    return [0, *Phase.objects.filter(campaign_id=campaign_id).values_list("pk", flat=True)]


def sync_everywhere(unit_ids: Iterable[int]) -> None:
    """`sync` in every campaign and phase (after a reorganisation moved these units)."""
    from sangkien.campaigns.models import Campaign

    ids = set(unit_ids)
    if not ids:
        return
    for campaign_id in Campaign.objects.order_by("pk").values_list("pk", flat=True):
        sync(campaign_id, campaign_keys(campaign_id), ids)


def cluster_changed(cluster_id: int) -> None:
    """Recount one cluster's rows from its units' entries (after its units changed)."""
    RankCount.objects.filter(scope=CLUSTER, grp=cluster_id).delete()
    members = list(
        Cluster.units.through.objects.filter(cluster_id=cluster_id).values_list(
            "unit_id", flat=True
        )
    )
    by_campaign: dict[int, dict[tuple[int, ...], int]] = defaultdict(lambda: defaultdict(int))
    for campaign_id, key, *rest in RankEntry.objects.filter(unit_id__in=members).values_list(
        "campaign_id", "phase_key", *ENTRY_COLS[3:]
    ):
        for row in _rows(tuple(rest), [cluster_id]):
            if row[0] == CLUSTER:
                by_campaign[campaign_id][(key, *row)] += 1
    for campaign_id, rows in by_campaign.items():
        _add_counts(campaign_id, dict(rows))


# -- rebuilding -------------------------------------------------------------------------------


def _sig_sql(column: str, digits: int) -> str:
    """`sig` in SQL (integer division on both databases)."""
    parts = [f"WHEN {column} < {10**digits} THEN {column}"]
    for exponent in range(1, _MAX_DIGITS - digits + 1):
        parts.append(
            f"WHEN {column} < {10 ** (digits + exponent)} "
            f"THEN {exponent * 10**digits} + {column} / {10**exponent}"
        )
    return f"(CASE {' '.join(parts)} ELSE {column} END)"


def rebuild(campaign_id: int) -> None:
    """Replace the campaign's rank rows, set-based: the entries from the total rows joined to
    the units, the quotas of the units that have one, then one INSERT … SELECT … GROUP BY per
    (scope, measure, tier)."""
    from sangkien.quotas.models import Quota

    RankCount.objects.filter(campaign_id=campaign_id).delete()
    RankEntry.objects.filter(campaign_id=campaign_id).delete()
    qn = connection.ops.quote_name
    entry, total, unit = (
        qn(RankEntry._meta.db_table),
        qn(TreeTotal._meta.db_table),
        qn(Unit._meta.db_table),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {entry} ({', '.join(qn(c) for c in ENTRY_COLS)}) "  # noqa: S608
            "SELECT t.campaign_id, t.phase_key, t.unit_id, COALESCE(u.parent_id, 0), u.depth, "
            "u.status = %s, t.valid, t.members, t.benefit, NULL, NULL, NULL "
            f"FROM {total} t JOIN {unit} u ON u.id = t.unit_id WHERE t.campaign_id = %s",
            [UnitStatus.ACTIVE.value, campaign_id],
        )
    with_quota = set(
        Quota.objects.filter(campaign_id=campaign_id).values_list("unit_id", flat=True)
    )
    keys = campaign_keys(campaign_id)
    for chunk in _chunks(list(with_quota)):
        _write_entries(campaign_id, wanted_entries(campaign_id, keys, chunk))
    true = "TRUE" if connection.vendor == "postgresql" else "1"
    cluster_units = qn(Cluster.units.through._meta.db_table)
    cols = ", ".join(qn(c) for c in (*COUNT_KEYS, "units"))
    with connection.cursor() as cursor:
        for measure, column in enumerate(("valid", "members", "benefit", "quota_tenths")):
            v = f"e.{qn(column)}"
            three, one = _sig_sql(v, 3), _sig_sql(v, 1)
            tiers = ((0, three, v), (1, one, three), (2, "0", one))
            groups = (
                (SIBLINGS, "e.parent", ""),
                (LEVEL, "e.depth", ""),
                (CLUSTER, "c.cluster_id", f" JOIN {cluster_units} c ON c.unit_id = e.unit_id"),
            )
            for scope, grp, join in groups:
                for tier, bucket, key in tiers:
                    grouped = ", ".join(x for x in (grp, bucket, key) if x != "0")
                    cursor.execute(
                        f"INSERT INTO {qn(RankCount._meta.db_table)} ({cols}) "  # noqa: S608
                        f"SELECT e.campaign_id, e.phase_key, {scope}, {grp}, {measure}, {tier}, "
                        f"{bucket}, {key}, COUNT(*) FROM {entry} e{join} "
                        f"WHERE e.campaign_id = %s AND e.active = {true} AND {v} > 0 "
                        f"GROUP BY e.campaign_id, e.phase_key, {grouped}",
                        [campaign_id],
                    )
