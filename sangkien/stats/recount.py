"""Every figure recounted from the base tables (initiatives and their history), in the same
shape as the aggregates: what `sangkien check-stats` compares, what a bulk load's `rebuild`
and `repair` (a subtree recounted) write. A reorganisation (`Reorganisation`) replays
nothing: it moves the affected rows only.

An initiative's state on a day is the one its last history entry of that day left (see
`engine.State`); the recount replays each initiative's history, never the aggregates.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from sangkien.campaigns.models import Campaign
from sangkien.core.batches import IN_LIMIT, chunks
from sangkien.initiatives.models import HistoryEntry, Initiative
from sangkien.orgs.models import PATH_END, Unit

from . import checkpoints, queue, ranks
from .engine import NOTHING, State, add_to_tree, chains, next_state, phase_keys
from .models import (
    COUNTERS,
    QUEUE_COUNTERS,
    TREE_COUNTERS,
    MemberSpan,
    OwnDay,
    TreeAsOf,
    TreeDay,
    TreeTotal,
)

FIGURE_OF_COUNTER = {
    "submitted": "initiatives_submitted",
    "valid": "initiatives_valid",
    "invalid": "initiatives_invalid",
    "claimed": "benefit_claimed_vnd",
    "benefit": "benefit_valid_vnd",
    "members": "participating_members",
    "units": "participating_units",
}
Vector = list[int]


def _zeros(n: int) -> Callable[[], Vector]:
    return lambda: [0] * n


@dataclass
class Counted:
    """The recount of one campaign: day rows of subtrees (only for `nodes` when given),
    day rows of units' own initiatives, and members' spans."""

    tree: dict[tuple[int, int, dt.date], Vector] = field(default_factory=dict)
    own: dict[tuple[int, int, dt.date], Vector] = field(default_factory=dict)
    spans: dict[tuple[int, int, int], list[tuple[dt.date, dt.date | None, int]]] = field(
        default_factory=dict
    )


class _Days:
    """Local days of UTC timestamps as the database hands them back, memoised by the hour
    (every time zone in use is a whole number of quarter hours from UTC; the hour and the
    minutes are part of the key)."""

    def __init__(self) -> None:
        self.tz = timezone.get_current_timezone()
        self.memo: dict[Any, dt.date] = {}

    def __call__(self, at: Any) -> dt.date:
        key = at[:16] if isinstance(at, str) else (at.year, at.month, at.day, at.hour, at.minute)
        day = self.memo.get(key)
        if day is None:
            if isinstance(at, str):
                moment = dt.datetime.fromisoformat(at[:19]).replace(tzinfo=dt.UTC)
            else:
                moment = at if at.tzinfo else at.replace(tzinfo=dt.UTC)
            day = moment.astimezone(self.tz).date()
            self.memo[key] = day
        return day


def timelines(
    campaign_id: int, unit_ids: set[int] | None = None, batch: int = 5000
) -> Iterator[tuple[int, int, list[tuple[dt.date, State]]]]:
    """(unit, phase key, [(day, state at the end of that day)]) for each initiative of the
    campaign that was ever submitted, with only the days on which its state changed. An
    initiative a reorganisation moved (a `moved` history row naming the unit it came from)
    gives one such timeline per unit it stood under: at the old unit its state ends on the
    day of the move, at the new one it starts then. Read with plain SQL in id ranges (the
    bulk path: millions of history rows)."""
    if unit_ids is not None and not unit_ids:
        return
    ini, hist = Initiative._meta.db_table, HistoryEntry._meta.db_table
    bounds = Initiative.objects.filter(campaign_id=campaign_id).aggregate(
        lo=models.Min("pk"), hi=models.Max("pk")
    )
    if bounds["lo"] is None:
        return
    only: list[int] = sorted(unit_ids) if unit_ids is not None else []
    unit_filter = ""
    if unit_ids is not None and len(only) <= IN_LIMIT:
        unit_filter = f" AND i.unit_id IN ({', '.join(['%s'] * len(only))})"
    sql = (
        "SELECT i.id, i.unit_id, i.phase_id, h.at, h.to_status, h.benefit_claimed_vnd, "  # noqa: S608
        "h.benefit_valid_vnd, h.members, h.moved_from_id "
        f"FROM {ini} i JOIN {hist} h ON h.initiative_id = i.id "
        "WHERE i.campaign_id = %s AND i.submitted_at IS NOT NULL AND i.id >= %s AND i.id < %s"
        f"{unit_filter} ORDER BY i.id, h.at, h.id"
    )
    keep = set(only) if unit_ids is not None and not unit_filter else None
    local = _Days()
    for lo in range(bounds["lo"], bounds["hi"] + 1, batch):
        with connection.cursor() as cursor:
            cursor.execute(sql, [campaign_id, lo, lo + batch, *(only if unit_filter else [])])
            rows = cursor.fetchall()
        start = 0
        for end in range(1, len(rows) + 1):
            if end < len(rows) and rows[end][0] == rows[start][0]:
                continue
            for unit_id, key, days in _timeline(rows[start:end], local):
                if keep is None or unit_id in keep:
                    yield unit_id, key, days
            start = end


def _timeline(
    rows: Sequence[tuple], local: Callable[[Any], dt.date]
) -> Iterator[tuple[int, int, list[tuple[dt.date, State]]]]:
    """The timelines of one initiative from its history rows (oldest first), one per unit
    it stood under."""
    _pk, unit_id, phase, *_rest = rows[0]
    key = phase or 0
    # The unit of each row: the current one after the last move, the one a move came
    # from before it.
    units: list[int] = [0] * len(rows)
    here = unit_id
    for i in range(len(rows) - 1, -1, -1):
        units[i] = here
        if rows[i][8] is not None:
            here = rows[i][8]
    loads = json.loads
    state = NOTHING
    days: list[tuple[dt.date, State]] = []
    current = units[0]
    for i, (_p, _u, _ph, at, status, claimed, benefit, members, moved_from) in enumerate(rows):
        day = local(at)
        if moved_from is not None and units[i] != current:
            days.append((day, NOTHING))  # it leaves the old unit that day
            yield current, key, _changes(_same_day(days))
            current, days = units[i], []
        if isinstance(members, str):
            members = loads(members)
        state = next_state(state, status, claimed, benefit, members)
        days.append((day, state))
    yield current, key, _changes(_same_day(days))


def _same_day(days: list[tuple[dt.date, State]]) -> list[tuple[dt.date, State]]:
    """The last state of each day."""
    out: list[tuple[dt.date, State]] = []
    for day, state in days:
        if out and out[-1][0] == day:
            out[-1] = (day, state)
        else:
            out.append((day, state))
    return out


def _changes(days: list[tuple[dt.date, State]]) -> list[tuple[dt.date, State]]:
    out: list[tuple[dt.date, State]] = []
    previous = NOTHING
    for day, state in days:
        if state != previous:
            out.append((day, state))
            previous = state
    return out


def units_under(nodes: Iterable[int]) -> set[int]:
    """Units whose initiatives count for one of `nodes` now: the units in their subtrees and
    closed units answered for by one of those."""
    found: set[int] = set()
    for path in Unit.objects.filter(pk__in=list(nodes)).values_list("path", flat=True):
        found.update(
            Unit.objects.filter(path__gte=path, path__lt=path + PATH_END).values_list(
                "pk", flat=True
            )
        )
    for chunk in chunks(sorted(found)):
        found.update(Unit.objects.filter(successor_id__in=chunk).values_list("pk", flat=True))
    return found


def count(campaign_id: int, nodes: set[int] | None = None) -> Counted:
    """Recount one campaign from the base tables (for the subtrees of `nodes` only, if given)."""
    unit_ids = units_under(nodes) if nodes is not None else None
    own: dict[tuple[int, int, dt.date], Vector] = defaultdict(_zeros(len(COUNTERS)))
    member_steps: dict[tuple[int, int, int], dict[dt.date, int]] = defaultdict(
        lambda: defaultdict(int)
    )
    for unit_id, key, days in timelines(campaign_id, unit_ids):
        previous = NOTHING
        for day, state in days:
            before, after = previous.vector(), state.vector()
            vec = own[(unit_id, key, day)]
            for i in range(len(COUNTERS)):
                vec[i] += after[i] - before[i]
            was = set(previous.members) if previous.counted else set()
            now = set(state.members) if state.counted else set()
            for m in now - was:
                member_steps[(m, unit_id, key)][day] += 1
            for m in was - now:
                member_steps[(m, unit_id, key)][day] -= 1
            previous = state
    result = Counted(own={k: v for k, v in own.items() if any(v)})
    info = chains({u for u, _k, _d in result.own} | {u for _m, u, _k in member_steps})
    kept = {
        unit: [n for n in chain if nodes is None or n in nodes]
        for unit, (chain, _g) in info.items()
    }
    tree: dict[tuple[int, int, dt.date], Vector] = defaultdict(_zeros(len(TREE_COUNTERS)))
    grassroots_series: dict[tuple[int, int], dict[dt.date, int]] = defaultdict(
        lambda: defaultdict(int)
    )
    for (unit_id, key, day), vec in result.own.items():
        grassroots = info[unit_id][1]
        for tree_key in phase_keys(key or None):
            for node in kept[unit_id]:
                row = tree[(tree_key, node, day)]
                for i, v in enumerate(vec):
                    row[i] += v
            if grassroots is not None and vec[0]:
                grassroots_series[(tree_key, grassroots)][day] += vec[0]
    # Participating grassroots units: while a grassroots unit's submitted count is above 0.
    grassroots_chains = {
        g: [n for n in c[: c.index(g) + 1] if nodes is None or n in nodes]
        for c, g in info.values()
        if g is not None
    }
    for (tree_key, grassroots), steps in grassroots_series.items():
        chain = grassroots_chains[grassroots]
        for day, flip in _presence_flips(steps):
            for node in chain:
                tree[(tree_key, node, day)][6] += flip
    # Participating members: while a member authors a counted initiative below the unit.
    by_member: dict[int, list[tuple[int, int, dict[dt.date, int]]]] = defaultdict(list)
    for (member, unit_id, key), steps in member_steps.items():
        by_member[member].append((unit_id, key, steps))
        spans = _spans(steps)
        if spans:
            result.spans[(member, unit_id, key)] = spans
    del member_steps
    for leaves in by_member.values():
        if len(leaves) == 1:  # most members: one unit, one phase — its presence is theirs
            unit_id, key, steps = leaves[0]
            flips = _presence_flips(steps)
            for tree_key in phase_keys(key or None):
                for node in kept[unit_id]:
                    for day, flip in flips:
                        tree[(tree_key, node, day)][5] += flip
            continue
        for tree_key in {0} | {k for _u, k, _s in leaves if k}:
            presence: dict[int, dict[dt.date, int]] = defaultdict(lambda: defaultdict(int))
            for unit_id, key, steps in leaves:
                if tree_key and key != tree_key:
                    continue
                leaf_flips = _presence_flips(steps)
                for node in kept[unit_id]:
                    for day, flip in leaf_flips:
                        presence[node][day] += flip
            for node, node_steps in presence.items():
                for day, flip in _presence_flips(node_steps):
                    tree[(tree_key, node, day)][5] += flip
    result.tree = {k: v for k, v in tree.items() if any(v)}
    return result


def _presence_flips(steps: dict[dt.date, int]) -> list[tuple[dt.date, int]]:
    """Days on which a running count leaves 0 (+1) or returns to 0 (-1)."""
    out: list[tuple[dt.date, int]] = []
    running = 0
    for day in sorted(steps):
        was = running > 0
        running += steps[day]
        now = running > 0
        if now != was:
            out.append((day, 1 if now else -1))
    return out


def _spans(steps: dict[dt.date, int]) -> list[tuple[dt.date, dt.date | None, int]]:
    """[start, end) of the days with a running count above 0; the open span keeps its count."""
    out: list[tuple[dt.date, dt.date | None, int]] = []
    running = 0
    start: dt.date | None = None
    for day in sorted(steps):
        running += steps[day]
        if running > 0 and start is None:
            start = day
        elif running <= 0 and start is not None:
            out.append((start, day, 0))
            start = None
    if start is not None:
        out.append((start, None, running))
    return out


# -- comparing ---------------------------------------------------------------------------


@dataclass
class Difference:
    unit: str
    campaign: str
    phase_key: int
    figure: str
    day: dt.date | None
    served: int
    recounted: int

    def __str__(self) -> str:
        phase = f" phase {self.phase_key}" if self.phase_key else ""
        when = f" as of {self.day:%Y-%m-%d}" if self.day else " (total)"
        return (
            f"{self.unit} {self.campaign}{phase} {self.figure}{when}: "
            f"served {self.served}, recount {self.recounted}"
        )


def _stored_tree(campaign_id: int) -> dict[tuple[int, int, dt.date], Vector]:
    return {
        (key, unit, day): list(vec)
        for key, unit, day, *vec in TreeDay.objects.filter(campaign_id=campaign_id).values_list(
            "phase_key", "unit_id", "day", *TREE_COUNTERS
        )
        if any(vec)
    }


def _cumulative_differences(
    served: dict[tuple[int, int, dt.date], Vector],
    counted: dict[tuple[int, int, dt.date], Vector],
    names: tuple[str, ...],
) -> list[tuple[int, int, str, dt.date, int, int]]:
    """(key, unit, counter, first day, served, recount) where the running sums part."""
    series: dict[tuple[int, int], set[dt.date]] = defaultdict(set)
    for key, unit, day in [*served, *counted]:
        series[(key, unit)].add(day)
    out = []
    zero = [0] * len(names)
    for (key, unit), days in sorted(series.items()):
        a = [0] * len(names)
        b = [0] * len(names)
        for day in sorted(days):
            for i, (x, y) in enumerate(
                zip(
                    served.get((key, unit, day), zero),
                    counted.get((key, unit, day), zero),
                    strict=True,
                )
            ):
                a[i] += x
                b[i] += y
            bad = [i for i in range(len(names)) if a[i] != b[i]]
            if bad:
                i = bad[0]
                out.append((key, unit, names[i], day, a[i], b[i]))
                break
    return out


def _checkpoint_differences(
    campaign_id: int, tree: dict[tuple[int, int, dt.date], Vector]
) -> list[tuple[int, int, str, dt.date | None, int, int]]:
    """The figures as of each day the checkpoints or the recount change, from the
    checkpoints (the latest on or before the day) against the recount's running sums."""
    stored: dict[tuple[int, int], dict[dt.date, list[int]]] = defaultdict(dict)
    for key, unit, day, *vec in TreeAsOf.objects.filter(campaign_id=campaign_id).values_list(
        "phase_key", "unit_id", "day", *TREE_COUNTERS
    ):
        stored[(key, unit)][day] = list(vec)
    counted: dict[tuple[int, int], dict[dt.date, Vector]] = defaultdict(dict)
    for (key, unit, day), vec in tree.items():
        counted[(key, unit)][day] = vec
    out: list[tuple[int, int, str, dt.date | None, int, int]] = []
    zero = [0] * len(TREE_COUNTERS)
    for key, unit in sorted(set(stored) | set(counted)):
        mine, theirs = stored.get((key, unit), {}), counted.get((key, unit), {})
        served, running = zero, [0] * len(TREE_COUNTERS)
        for day in sorted(set(mine) | set(theirs)):
            served = mine.get(day, served)
            for i, v in enumerate(theirs.get(day, zero)):
                running[i] += v
            bad = [i for i in range(len(TREE_COUNTERS)) if served[i] != running[i]]
            if bad:
                i = bad[0]
                out.append((key, unit, f"as of {TREE_COUNTERS[i]}", day, served[i], running[i]))
                break
    return out


def check(campaigns: Iterable[Campaign] | None = None, limit: int = 50) -> list[Difference]:
    """Every served figure against the recount; the differences found (at most `limit`)."""
    out: list[Difference] = []
    for campaign in campaigns if campaigns is not None else Campaign.objects.order_by("pk"):
        counted = count(campaign.pk)
        raw: list[tuple[int, int, str, dt.date | None, int, int]] = []
        tree = _stored_tree(campaign.pk)
        raw += _cumulative_differences(tree, counted.tree, TREE_COUNTERS)
        totals: dict[tuple[int, int], Vector] = defaultdict(_zeros(len(TREE_COUNTERS)))
        for (key, unit, _day), vec in counted.tree.items():
            for i, v in enumerate(vec):
                totals[(key, unit)][i] += v
        stored_totals = {
            (key, unit): list(vec)
            for key, unit, *vec in TreeTotal.objects.filter(campaign_id=campaign.pk).values_list(
                "phase_key", "unit_id", *TREE_COUNTERS
            )
        }
        zero = [0] * len(TREE_COUNTERS)
        for key, unit in sorted(set(totals) | set(stored_totals)):
            was, now = stored_totals.get((key, unit), zero), totals.get((key, unit), zero)
            for i, name in enumerate(TREE_COUNTERS):
                if was[i] != now[i]:
                    raw.append((key, unit, name, None, was[i], now[i]))
                    break
        own = {
            (unit, key, day): list(vec)
            for unit, key, day, *vec in OwnDay.objects.filter(campaign_id=campaign.pk).values_list(
                "unit_id", "phase_key", "day", *COUNTERS
            )
            if any(vec)
        }
        for key, unit, name, day, a, b in _cumulative_differences(
            {(k, u, d): v for (u, k, d), v in own.items()},
            {(k, u, d): v for (u, k, d), v in counted.own.items()},
            COUNTERS,
        ):
            raw.append((key, unit, f"own {name}", day, a, b))
        stored_spans: dict[tuple[int, int, int], list[tuple[dt.date, dt.date | None, int]]] = (
            defaultdict(list)
        )
        for member, unit, key, start, end, n in (
            MemberSpan.objects.filter(campaign_id=campaign.pk)
            .order_by("start", "id")
            .values_list("member_id", "unit_id", "phase_key", "start", "end", "n")
        ):
            stored_spans[(member, unit, key)].append((start, end, n if end is None else 0))
        for span_key in sorted(set(stored_spans) | set(counted.spans)):
            a_spans = _merged(stored_spans.get(span_key, []))
            b_spans = counted.spans.get(span_key, [])
            if a_spans != b_spans:
                member, unit, key = span_key
                first_day = (b_spans or a_spans)[0][0]
                raw.append(
                    (key, unit, f"member {member} spans", first_day, len(a_spans), len(b_spans))
                )
        raw += _checkpoint_differences(campaign.pk, counted.tree)
        served_queue, counted_queue = queue.stored(campaign.pk), queue.recount(campaign.pk)
        for unit, key in sorted(set(served_queue) | set(counted_queue)):
            was = served_queue.get((unit, key), [0] * len(QUEUE_COUNTERS))
            now = counted_queue.get((unit, key), [0] * len(QUEUE_COUNTERS))
            for i, name in enumerate(QUEUE_COUNTERS):
                if was[i] != now[i]:
                    raw.append((key, unit, f"queue {name}", None, was[i], now[i]))
        codes = dict(Unit.objects.filter(pk__in={r[1] for r in raw}).values_list("pk", "code"))
        for key, unit, name, as_of, a, b in raw:
            out.append(
                Difference(
                    unit=codes.get(unit, str(unit)),
                    campaign=campaign.code,
                    phase_key=key,
                    figure=FIGURE_OF_COUNTER.get(name, name),
                    day=as_of,
                    served=a,
                    recounted=b,
                )
            )
            if len(out) >= limit:
                return out
    return out


def _merged(
    spans: list[tuple[dt.date, dt.date | None, int]],
) -> list[tuple[dt.date, dt.date | None, int]]:
    """Stored spans with those that touch joined (closed and reopened on the same day)."""
    out: list[tuple[dt.date, dt.date | None, int]] = []
    for start, end, n in sorted(spans, key=lambda s: (s[0], s[1] or dt.date.max)):
        if out and out[-1][1] == start:
            out[-1] = (out[-1][0], end, n)
        else:
            out.append((start, end, n))
    return out


# -- writing ----------------------------------------------------------------------------


def _bulk(table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
    """Append rows fast: COPY on PostgreSQL, batched executemany elsewhere."""
    qn = connection.ops.quote_name
    cols = ", ".join(qn(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {qn(table)} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {qn(table)} ({cols}) VALUES ({marks})"  # noqa: S608
        batch: list[tuple] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= 5000:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


def _write_tree(campaign_id: int, tree: dict[tuple[int, int, dt.date], Vector]) -> None:
    _bulk(
        TreeDay._meta.db_table,
        ["campaign_id", "phase_key", "unit_id", "day", *TREE_COUNTERS],
        ((campaign_id, key, unit, day, *vec) for (key, unit, day), vec in tree.items()),
    )
    totals: dict[tuple[int, int], Vector] = defaultdict(_zeros(len(TREE_COUNTERS)))
    for (key, unit, _day), vec in tree.items():
        total = totals[(key, unit)]
        for i, v in enumerate(vec):
            total[i] += v
    _bulk(
        TreeTotal._meta.db_table,
        ["campaign_id", "phase_key", "unit_id", *TREE_COUNTERS],
        ((campaign_id, key, unit, *vec) for (key, unit), vec in totals.items()),
    )


@transaction.atomic
def rebuild(campaigns: Iterable[Campaign] | None = None, progress: Any = None) -> int:
    """Replace every aggregate of the campaigns by the recount (after a bulk load, or to mend
    a difference `check-stats` found). Returns the number of day rows written."""
    written = 0
    for campaign in campaigns if campaigns is not None else Campaign.objects.order_by("pk"):
        counted = count(campaign.pk)
        for model in (TreeDay, TreeTotal, OwnDay, MemberSpan):
            model.objects.filter(campaign_id=campaign.pk).delete()
        _write_tree(campaign.pk, counted.tree)
        checkpoints.fill(campaign.pk)
        _bulk(
            OwnDay._meta.db_table,
            ["campaign_id", "phase_key", "unit_id", "day", *COUNTERS],
            ((campaign.pk, key, unit, day, *vec) for (unit, key, day), vec in counted.own.items()),
        )
        _bulk(
            MemberSpan._meta.db_table,
            ["campaign_id", "phase_key", "member_id", "unit_id", "start", "end", "n"],
            (
                (campaign.pk, key, member, unit, start, end, n)
                for (member, unit, key), spans in counted.spans.items()
                for start, end, n in spans
            ),
        )
        ranks.rebuild(campaign.pk)
        queue.build(campaign.pk)
        written += len(counted.tree)
        if progress is not None:
            progress(campaign)
    return written


def repair(nodes: set[int]) -> None:
    """Recount the subtree rows of `nodes` (whose subtrees a reorganisation changed) in every
    campaign; rows of units' own initiatives and members' spans do not depend on the tree."""
    if not nodes:
        return
    for campaign_id in Campaign.objects.order_by("pk").values_list("pk", flat=True):
        counted = count(campaign_id, nodes)
        TreeDay.objects.filter(campaign_id=campaign_id, unit_id__in=nodes).delete()
        TreeTotal.objects.filter(campaign_id=campaign_id, unit_id__in=nodes).delete()
        _write_tree(campaign_id, counted.tree)
        checkpoints.fill(campaign_id, nodes)
        ranks.sync(campaign_id, ranks.campaign_keys(campaign_id), nodes)


class Reorganisation:
    """Keeps the figures right across a reorganisation: made before the tree changes with the
    units it names (whose own rows and member spans the reorganisation may move: the closed
    unit and the one answering for it), `finish`ed after (with any units it created).

    Only the affected rows move, none is recounted from the history: a subtree row is the sum
    of the own rows of the units whose chain (root → the unit answering for them) passes
    through it, so each unit whose chain changed takes its own rows off the nodes it left and
    adds them to the nodes it joined. The participating grassroots units move with the
    submitted series of the grassroots units concerned, the participating members with the
    spans of the members who author something in the units concerned (their other spans
    decide whether they were, and are, present elsewhere below a node)."""

    def __init__(self, units: Iterable[Unit]) -> None:
        self.units = [u.pk for u in units]
        self.scope = units_under(self.units)
        self.before = chains(self.scope)
        self.own_before = _own_rows(self.units)
        self.spans_before = _unit_spans(self.units)
        self.queue_before = queue.path_chains(self.scope)

    def finish(self, new_units: Iterable[Unit] = ()) -> None:
        created = [u.pk for u in new_units]
        scope = self.scope | units_under([*self.units, *created])
        after = chains(scope)
        changed = {u for u in scope if u in self.before and self.before[u] != after[u]}
        touched = changed | set(self.units) | set(created)
        moves = _Moves(self, after, touched, set(created))
        for campaign_id, deltas in sorted(moves.deltas().items()):
            add_to_tree(campaign_id, {k: v for k, v in deltas.items() if any(v)})
        # The queue counts follow the paths: the units above those that moved.
        queue.repair(queue.touched(self.queue_before, queue.path_chains(self.scope)))
        # The units of the scope may have changed parent, level or status: their ranks too.
        ranks.sync_everywhere(scope)


OwnRows = dict[tuple[int, int, int, dt.date], Vector]  # (campaign, key, unit, day) -> counters
Span = tuple[int, int, int, dt.date, dt.date | None]  # (member, unit, key, start, end)


def _own_rows(units: Iterable[int]) -> OwnRows:
    out: OwnRows = {}
    for chunk in chunks(sorted(set(units))):
        for campaign, key, unit, day, *vec in OwnDay.objects.filter(unit_id__in=chunk).values_list(
            "campaign_id", "phase_key", "unit_id", "day", *COUNTERS
        ):
            if any(vec):
                out[(campaign, key, unit, day)] = list(vec)
    return out


def _unit_spans(units: Iterable[int]) -> dict[int, list[Span]]:
    """{campaign: spans} of the members' spans at `units` (open or closed)."""
    out: dict[int, list[Span]] = defaultdict(list)
    for chunk in chunks(sorted(set(units))):
        for campaign, span in _span_rows(MemberSpan.objects.filter(unit_id__in=chunk)):
            out[campaign].append(span)
    return out


def _span_rows(query: Any) -> Iterator[tuple[int, Span]]:
    """(campaign, span) of the spans in `query` that stand for days of presence."""
    for campaign, member, unit, key, start, end, n in query.values_list(
        "campaign_id", "member_id", "unit_id", "phase_key", "start", "end", "n"
    ):
        if end is not None or n > 0:
            yield campaign, (member, unit, key, start, end)


class _Moves:
    """The subtree rows' changes of one reorganisation, per campaign."""

    def __init__(
        self, reorganisation: Reorganisation, after: dict, touched: set[int], created: set[int]
    ) -> None:
        self.r = reorganisation
        self.after = after
        self.touched = touched
        self.created = created
        self.named = set(reorganisation.units)
        self.out: dict[int, dict[tuple[int, int, dt.date], Vector]] = defaultdict(
            lambda: defaultdict(_zeros(len(TREE_COUNTERS)))
        )

    def chain_before(self, unit: int) -> list[int] | None:
        if unit in self.r.before:
            return self.r.before[unit][0]
        if unit in self.created:
            return None
        return self.chain_after(unit)

    def chain_after(self, unit: int) -> list[int]:
        if unit not in self.after:
            self.after.update(chains([unit]))
        return self.after[unit][0]

    def grassroots(self, unit: int, before: bool) -> int | None:
        if before:
            if unit in self.r.before:
                return self.r.before[unit][1]
            if unit in self.created:
                return None
        if unit not in self.after:
            self.after.update(chains([unit]))
        return self.after[unit][1]

    def deltas(self) -> dict[int, dict[tuple[int, int, dt.date], Vector]]:
        self._counters()
        self._units()
        self._members()
        return self.out

    def _counters(self) -> None:
        """Submitted, valid, invalid, claimed and validated benefit: additive."""
        own_after = _own_rows(self.touched)
        own_before = {k: v for k, v in own_after.items() if k[2] not in self.named}
        own_before.update(self.r.own_before)
        for rows, sign, chain_of in (
            (own_before, -1, self.chain_before),
            (own_after, 1, self.chain_after),
        ):
            for (campaign, key, unit, day), vec in rows.items():
                chain = chain_of(unit)
                if chain is None:
                    continue
                deltas = self.out[campaign]
                for tree_key in phase_keys(key or None):
                    for node in chain:
                        row = deltas[(tree_key, node, day)]
                        for i, v in enumerate(vec):
                            row[i] += sign * v
        # The grassroots units whose submitted series may change.
        self.grassroots_concerned = {
            g
            for unit in self.touched
            for g in (self.grassroots(unit, True), self.grassroots(unit, False))
            if g is not None
        }
        self.campaigns = {k[0] for k in own_after} | {k[0] for k in self.r.own_before}

    def _units(self) -> None:
        """Participating grassroots units: while a grassroots unit's submitted count is above
        0, it counts on its chain. Its series before is its stored subtree row (this
        reorganisation has not written any yet), after it that plus the change above."""
        if not self.grassroots_concerned or not self.campaigns:
            return
        series: dict[tuple[int, int, int], dict[dt.date, int]] = defaultdict(
            lambda: defaultdict(int)
        )
        for chunk in chunks(sorted(self.grassroots_concerned)):
            for campaign, key, unit, day, submitted in TreeDay.objects.filter(
                unit_id__in=chunk, campaign_id__in=sorted(self.campaigns)
            ).values_list("campaign_id", "phase_key", "unit_id", "day", "submitted"):
                if submitted:
                    series[(campaign, key, unit)][day] += submitted
        added: dict[tuple[int, int, int], dict[dt.date, int]] = defaultdict(dict)
        for campaign in self.campaigns:
            for (key, unit, day), vec in self.out[campaign].items():
                if vec[0] and unit in self.grassroots_concerned:
                    added[(campaign, key, unit)][day] = vec[0]
        for campaign, key, g in sorted(set(series) | set(added)):
            before_chain = self.chain_before(g)
            after_chain = self.chain_after(g)
            deltas = self.out[campaign]
            was = series.get((campaign, key, g), {})
            now = defaultdict(int, was)
            for day, n in added.get((campaign, key, g), {}).items():
                now[day] += n
            for steps, sign, chain in ((was, -1, before_chain), (now, 1, after_chain)):
                flips = _presence_flips(dict(steps))
                if not flips:
                    continue
                if chain is None or g not in chain:
                    raise AssertionError(f"grassroots unit {g} has no chain of its own")
                for node in chain[: chain.index(g) + 1]:
                    for day, flip in flips:
                        deltas[(key, node, day)][6] += sign * flip

    def _members(self) -> None:
        """Participating members: a member counts for a node while one of their spans is at a
        unit whose chain passes through it. Only the members with a span at a touched unit
        can change; all their spans are read."""
        spans_after = _unit_spans(self.touched)
        for campaign in sorted(set(spans_after) | set(self.r.spans_before)):
            members = {s[0] for s in spans_after.get(campaign, [])} | {
                s[0] for s in self.r.spans_before.get(campaign, [])
            }
            if not members:
                continue
            every: dict[int, list[Span]] = defaultdict(list)
            for chunk in chunks(sorted(members)):
                query = MemberSpan.objects.filter(campaign_id=campaign, member_id__in=chunk)
                for _c, span in _span_rows(query):
                    every[span[0]].append(span)
            snapshot: dict[int, list[Span]] = defaultdict(list)
            for span in self.r.spans_before.get(campaign, []):
                snapshot[span[0]].append(span)
            missing = {s[1] for rows in every.values() for s in rows} - self.after.keys()
            self.after.update(chains(missing))
            deltas = self.out[campaign]
            for member in sorted(members):
                now = every.get(member, [])
                was = [s for s in now if s[1] not in self.named] + snapshot.get(member, [])
                for rows, sign, chain_of in (
                    (was, -1, self.chain_before),
                    (now, 1, self.chain_after),
                ):
                    steps: dict[tuple[int, int], dict[dt.date, int]] = defaultdict(
                        lambda: defaultdict(int)
                    )
                    for _m, unit, key, start, end in rows:
                        chain = chain_of(unit)
                        if chain is None:
                            continue
                        for tree_key in phase_keys(key or None):
                            for node in chain:
                                node_steps = steps[(tree_key, node)]
                                node_steps[start] += 1
                                if end is not None:
                                    node_steps[end] -= 1
                    for (tree_key, node), node_steps in steps.items():
                        for day, flip in _presence_flips(dict(node_steps)):
                            deltas[(tree_key, node, day)][5] += sign * flip
