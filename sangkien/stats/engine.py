"""Keeping the aggregates in step with the initiatives, inside the transaction that changes
them (see `models` for the tables and DESIGN.md for the definitions).

Every change of an initiative writes a history entry that records what the statistics
count as it stood after the step: status, claimed benefit, validated benefit and the member
authors (`State`). `record` compares it with the entry before and adds the difference, on the
day of the step, to the rows of the initiative's unit and every unit above it:
- additive counters (submitted, valid, invalid, claimed and validated benefit) directly;
- participating members: a member counts for a unit while they author at least one counted
  initiative anywhere below it. `MemberSpan` keeps, per member, unit and phase, how many;
  when the set of units where the member is present changes, exactly the ancestors that gain
  or lose the member get +1 or -1;
- participating grassroots units: +1 up the tree when a grassroots unit's submitted count
  leaves 0, -1 when it comes back to 0 (read from its own total row, locked by the update).

Figures follow the tree as it stands: an initiative of a merged, split or dissolved unit
counts for the unit that answers for it now. A reorganisation therefore changes the
subtrees of some units; `recount.Reorganisation` moves the own rows of exactly the units
whose chain changed from the nodes they left to those they joined (no replay).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils import timezone

from sangkien.core.batches import chunks, rows_in_chunks
from sangkien.orgs.models import Member, Unit, UnitKind, decode_path, last_successor

from . import checkpoints, queue, ranks
from .models import COUNTERS, TREE_COUNTERS, MemberSpan
from .upsert import upsert as _upsert

PENDING, VALID, INVALID = "pending", "valid", "invalid"
# Statuses as the figures see them: returned for changes is still waiting for a decision.
KIND_OF_STATUS = {
    "submitted": PENDING,
    "returned": PENDING,
    "valid": VALID,
    "invalid": INVALID,
}


@dataclass(frozen=True)
class State:
    """What one initiative contributes after a step; `kind` None means nothing (a draft, a
    withdrawn one)."""

    kind: str | None = None
    claimed: int = 0
    benefit: int = 0
    members: tuple[int, ...] = ()
    # The status itself (the review queue tells under review from returned); the figures
    # do not, so two states differing only by it are equal.
    status: str = field(default="", compare=False)

    @property
    def counted(self) -> bool:
        return self.kind is not None

    def vector(self) -> tuple[int, int, int, int, int]:
        if self.kind is None:
            return (0, 0, 0, 0, 0)
        valid = self.kind == VALID
        return (
            1,
            int(valid),
            int(self.kind == INVALID),
            self.claimed,
            self.benefit if valid else 0,
        )


NOTHING = State()


def next_state(
    prev: State, to_status: str, claimed: Any, benefit_valid: Any, members: Any
) -> State:
    """The state a history entry leaves. The validated benefit is carried from the validation
    while the initiative stays valid; a missing claimed benefit keeps the previous one."""
    kind = KIND_OF_STATUS.get(to_status)
    if kind is None:
        return NOTHING
    if kind == VALID:
        benefit = int(benefit_valid) if benefit_valid is not None else prev.benefit
    else:
        benefit = 0
    claimed_vnd = int(claimed) if claimed is not None else prev.claimed
    return State(
        kind, claimed_vnd, benefit, tuple(sorted(int(m) for m in members or ())), str(to_status)
    )


def local_day(at: dt.datetime) -> dt.date:
    return timezone.localdate(at) if timezone.is_aware(at) else at.date()


def phase_keys(phase_id: int | None) -> tuple[int, ...]:
    """The keys an initiative counts under: the whole campaign (0) and its phase."""
    return (0, phase_id) if phase_id else (0,)


# -- the tree as the figures see it ----------------------------------------------------------


def chains(unit_ids: Iterable[int]) -> dict[int, tuple[list[int], int | None]]:
    """For each unit: the ids from the root down to the unit that answers for it now (itself
    unless it was closed with a successor), and the grassroots unit on that chain."""
    ids = set(unit_ids)
    if not ids:
        return {}
    rows = {
        pk: (path, successor)
        for pk, path, successor in rows_in_chunks(
            ids,
            lambda chunk: Unit.objects.filter(pk__in=chunk).values_list(
                "pk", "path", "successor_id"
            ),
        )
    }
    heirs = {s for _p, s in rows.values() if s is not None and s not in rows}
    for pk, path, successor in rows_in_chunks(
        heirs,
        lambda chunk: Unit.objects.filter(pk__in=chunk).values_list("pk", "path", "successor_id"),
    ):
        rows[pk] = (path, successor)

    def successor_of(pk: int) -> int | None:
        successor = rows[pk][1]
        if successor is not None and successor not in rows:
            rows[successor] = (
                Unit.objects.filter(pk=successor).values_list("path", "successor_id").get()
            )
        return successor

    paths: dict[int, list[int]] = {}
    for pk in ids:
        paths[pk] = decode_path(rows[last_successor(pk, successor_of)][0])
    kinds = dict(
        rows_in_chunks(
            {u for p in paths.values() for u in p},
            lambda chunk: Unit.objects.filter(pk__in=chunk).values_list("pk", "kind"),
        )
    )
    out: dict[int, tuple[list[int], int | None]] = {}
    for pk, chain in paths.items():
        grassroots = None
        for u in chain:
            if kinds.get(u) == UnitKind.GRASSROOTS:
                grassroots = u
        out[pk] = (chain, grassroots)
    return out


# -- writing the rows ---------------------------------------------------------------------


TREE_KEYS_DAY = ("campaign_id", "phase_key", "unit_id", "day")
TREE_KEYS = ("campaign_id", "phase_key", "unit_id")
# The counters the ranks are by: valid, participating members, validated benefit.
RANKED = tuple(TREE_COUNTERS.index(c) for c in ("valid", "members", "benefit"))


def add_to_tree(
    campaign_id: int,
    deltas: dict[tuple[int, int, dt.date], list[int]],
    in_totals: dict[tuple[int, int], list[int]] | None = None,
) -> None:
    """Add {(phase_key, unit, day): [7 counters]} to TreeDay and TreeTotal; `in_totals` is
    what the caller already added to some total rows ({(phase_key, unit): counters})."""
    day_rows = []
    totals: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0] * len(TREE_COUNTERS))
    for (key, unit), vec in (in_totals or {}).items():
        totals[(key, unit)] = [-v for v in vec]
    for (key, unit, day), vec in deltas.items():
        if any(vec):
            day_rows.append((campaign_id, key, unit, day, *vec))
            total = totals[(key, unit)]
            for i, v in enumerate(vec):
                total[i] += v
    _upsert("stats_treeday", TREE_KEYS_DAY, TREE_COUNTERS, day_rows)
    checkpoints.follow(
        campaign_id, [(key, unit, day, vec) for (key, unit, day), vec in deltas.items() if any(vec)]
    )
    _upsert(
        "stats_treetotal",
        TREE_KEYS,
        TREE_COUNTERS,
        [(campaign_id, k, u, *vec) for (k, u), vec in totals.items() if any(vec)],
    )
    # The ranks move with the ranked totals (the quota percent with the valid count).
    ranked = [(k, u) for (k, u), vec in totals.items() if any(vec[i] for i in RANKED)]
    if ranked:
        ranks.sync(campaign_id, {k for k, _u in ranked}, {u for _k, u in ranked})


# -- one change -------------------------------------------------------------------------


def record(initiative: Any, entry: Any) -> None:
    """Move the figures by what `entry` (just written) changed against the entry before it."""
    from sangkien.initiatives.models import HistoryEntry

    previous = list(
        HistoryEntry.objects.filter(initiative_id=initiative.pk, at__lte=entry.at)
        .exclude(pk=entry.pk)
        .order_by("-at", "-id")
        .values_list("to_status", "benefit_claimed_vnd", "benefit_valid_vnd", "members")[:1]
    )
    before = NOTHING
    if previous:
        # The entry before carries everything (its own predecessor only matters for a
        # validated benefit, which a valid entry always carries itself).
        status, claimed, benefit, members = previous[0]
        before = next_state(NOTHING, status, claimed, benefit, members)
        if before.kind == VALID and benefit is None:
            before = _state_at(initiative.pk, entry)
    after = next_state(
        before, entry.to_status, entry.benefit_claimed_vnd, entry.benefit_valid_vnd, entry.members
    )
    # The review queue's counts: its status before and after (none before the first
    # submission; the initiative's first submission time is already set when it is one).
    queue.move(
        campaign_id=initiative.campaign_id,
        unit_id=initiative.unit_id,
        phase_id=initiative.phase_id,
        before=queue.status_in_queue(previous[0][0], initiative.submitted_at) if previous else None,
        after=queue.status_in_queue(entry.to_status, initiative.submitted_at),
    )
    if before != after:
        apply(
            campaign_id=initiative.campaign_id,
            unit_id=initiative.unit_id,
            phase_id=initiative.phase_id,
            before=before,
            after=after,
            day=local_day(entry.at),
        )


def _state_at(initiative_id: int, entry: Any) -> State:
    """The state before `entry`, replayed from the initiative's history."""
    from sangkien.initiatives.models import HistoryEntry

    state = NOTHING
    for status, claimed, benefit, members in (
        HistoryEntry.objects.filter(initiative_id=initiative_id)
        .exclude(pk=entry.pk)
        .filter(at__lte=entry.at)
        .order_by("at", "id")
        .values_list("to_status", "benefit_claimed_vnd", "benefit_valid_vnd", "members")
    ):
        state = next_state(state, status, claimed, benefit, members)
    return state


def apply(
    *,
    campaign_id: int,
    unit_id: int,
    phase_id: int | None,
    before: State,
    after: State,
    day: dt.date,
) -> None:
    keys = phase_keys(phase_id)
    own_key = phase_id or 0
    info = chains([unit_id])
    chain, grassroots = info[unit_id]
    dv = [a - b for a, b in zip(after.vector(), before.vector(), strict=True)]
    deltas: dict[tuple[int, int, dt.date], list[int]] = defaultdict(
        lambda: [0] * len(TREE_COUNTERS)
    )
    if any(dv):
        _upsert(
            "stats_ownday",
            TREE_KEYS_DAY,
            COUNTERS,
            [(campaign_id, own_key, unit_id, day, *dv)],
        )
        for key in keys:
            for node in chain:
                vec = deltas[(key, node, day)]
                for i, v in enumerate(dv):
                    vec[i] += v
    _members(campaign_id, unit_id, own_key, keys, before, after, day, deltas, info)
    # Participating grassroots units: does the grassroots unit's submitted count leave or
    # come back to 0? Its total row is updated (and so locked) first, so concurrent changes
    # below the same unit see each other's counts.
    counted: dict[tuple[int, int], list[int]] = {}
    if grassroots is not None and dv[0]:
        rows = _upsert(
            "stats_treetotal",
            TREE_KEYS,
            ("submitted",),
            [(campaign_id, key, grassroots, dv[0]) for key in keys],
            returning="phase_key, submitted",
        )
        for key, submitted in rows:
            counted[(key, grassroots)] = [dv[0], 0, 0, 0, 0, 0, 0]
            was = submitted - dv[0]
            flip = 1 if was == 0 and submitted > 0 else -1 if was > 0 and submitted == 0 else 0
            if flip:
                for node in chain[: chain.index(grassroots) + 1]:
                    deltas[(key, node, day)][6] += flip
    add_to_tree(campaign_id, dict(deltas), counted)


def _members(
    campaign_id: int,
    unit_id: int,
    own_key: int,
    keys: tuple[int, ...],
    before: State,
    after: State,
    day: dt.date,
    deltas: dict[tuple[int, int, dt.date], list[int]],
    known: dict[int, tuple[list[int], int | None]],
) -> None:
    was = set(before.members) if before.counted else set()
    now = set(after.members) if after.counted else set()
    changed = sorted(was ^ now)
    if not changed:
        return
    if connection.vendor == "postgresql":
        # One member's presence is decided by all their spans: changes for the same member
        # (an author of two initiatives decided at once) take turns.
        list(
            Member.objects.select_for_update()
            .filter(pk__in=changed)
            .order_by("pk")
            .values_list("pk")
        )
    spans: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for member, unit, key in MemberSpan.objects.filter(
        campaign_id=campaign_id, member_id__in=changed, end__isnull=True, n__gt=0
    ).values_list("member_id", "unit_id", "phase_key"):
        spans[member].append((unit, key))
    units = {u for rows in spans.values() for u, _k in rows}
    info = {**known, **chains(units - known.keys())}
    for member in changed:
        step = 1 if member in now else -1
        before_rows = list(spans[member])
        after_rows = _move_span(campaign_id, own_key, member, unit_id, step, day, before_rows)
        for key in keys:
            cover_before = _cover(before_rows, key, info)
            cover_after = _cover(after_rows, key, info)
            for node in cover_after - cover_before:
                deltas[(key, node, day)][5] += 1
            for node in cover_before - cover_after:
                deltas[(key, node, day)][5] -= 1


def _cover(
    rows: list[tuple[int, int]], key: int, info: dict[int, tuple[list[int], int | None]]
) -> set[int]:
    """The units where a member with these open spans counts, for one phase key."""
    out: set[int] = set()
    for unit, span_key in rows:
        if key == 0 or span_key == key:
            out.update(info[unit][0])
    return out


def _move_span(
    campaign_id: int,
    own_key: int,
    member: int,
    unit_id: int,
    step: int,
    day: dt.date,
    rows: list[tuple[int, int]],
) -> list[tuple[int, int]]:
    """Add `step` to the member's open span at (unit, phase); open or close it as its count
    leaves or reaches 0. Returns the member's open spans after."""
    span = (
        MemberSpan.objects.filter(
            campaign_id=campaign_id,
            phase_key=own_key,
            member_id=member,
            unit_id=unit_id,
            end__isnull=True,
        )
        .select_for_update()
        .first()
    )
    after = [r for r in rows if r != (unit_id, own_key)]
    if span is None:
        if step < 0:
            raise AssertionError(f"member {member} has no open span at unit {unit_id}")
        MemberSpan.objects.create(
            campaign_id=campaign_id,
            phase_key=own_key,
            member_id=member,
            unit_id=unit_id,
            start=day,
            n=1,
        )
        after.append((unit_id, own_key))
        return after
    span.n += step
    if span.n > 0:
        span.save(update_fields=["n"])
        after.append((unit_id, own_key))
    elif span.start == day:
        span.delete()  # present for no whole day
    else:
        span.end = day
        span.save(update_fields=["n", "end"])
    return after


# -- many new initiatives at once -------------------------------------------------------------


def _chunked_upsert(
    table: str, keys: Sequence[str], counters: Sequence[str], rows: list[tuple], returning: str = ""
) -> list[tuple]:
    out: list[tuple] = []
    rows = sorted(rows)
    for start in range(0, len(rows), 500):
        out.extend(_upsert(table, keys, counters, rows[start : start + 500], returning))
    return out


def add_new(campaign_id: int, day: dt.date, items: Sequence[tuple[int, int | None, State]]) -> None:
    """Count many initiatives of one campaign for the first time on `day` (`items` are
    (unit, phase, state after)): the rows `apply` would write for each in turn, gathered
    into a few statements — what a spreadsheet import of thousands of rows needs."""
    if not items:
        return
    # New initiatives enter the review queue as they are counted: under review unless
    # already decided.
    queue.add_new(
        campaign_id,
        [
            (unit, phase, "submitted" if state.kind == PENDING else state.kind)
            for unit, phase, state in items
            if state.kind is not None
        ],
    )
    zeros = lambda: [0] * len(TREE_COUNTERS)  # noqa: E731
    info = chains({unit for unit, _p, _s in items})
    deltas: dict[tuple[int, int, dt.date], list[int]] = defaultdict(zeros)
    own: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0] * len(COUNTERS))
    grassroots_added: dict[tuple[int, int], int] = defaultdict(int)
    added_spans: dict[tuple[int, int, int], int] = defaultdict(int)  # (member, unit, key)
    member_keys: dict[int, set[int]] = defaultdict(set)
    for unit, phase, state in items:
        if not state.counted:
            continue
        dv = state.vector()
        keys = phase_keys(phase)
        vec = own[(phase or 0, unit)]
        for i, v in enumerate(dv):
            vec[i] += v
        chain, grassroots = info[unit]
        for key in keys:
            for node in chain:
                tree_vec = deltas[(key, node, day)]
                for i, v in enumerate(dv):
                    tree_vec[i] += v
            if grassroots is not None:
                grassroots_added[(key, grassroots)] += dv[0]
        for member in set(state.members):
            added_spans[(member, unit, phase or 0)] += 1
            member_keys[member].update(keys)
    _chunked_upsert(
        "stats_ownday",
        TREE_KEYS_DAY,
        COUNTERS,
        [(campaign_id, key, unit, day, *vec) for (key, unit), vec in own.items()],
    )
    _add_members(campaign_id, day, added_spans, member_keys, info, deltas)
    counted: dict[tuple[int, int], list[int]] = {}
    rows = _chunked_upsert(
        "stats_treetotal",
        TREE_KEYS,
        ("submitted",),
        [(campaign_id, key, g, n) for (key, g), n in grassroots_added.items() if n],
        returning="phase_key, unit_id, submitted",
    )
    for key, grassroots, submitted in rows:
        n = grassroots_added[(key, grassroots)]
        counted[(key, grassroots)] = [n, 0, 0, 0, 0, 0, 0]
        if submitted - n == 0 and submitted > 0:
            chain = (
                info[grassroots][0] if grassroots in info else chains([grassroots])[grassroots][0]
            )
            for node in chain[: chain.index(grassroots) + 1]:
                deltas[(key, node, day)][6] += 1
    day_rows = {k: v for k, v in deltas.items() if any(v)}
    # add_to_tree writes one statement per table; keep each statement a bounded size.
    pending: dict[tuple[int, int, dt.date], list[int]] = {}
    units_in_chunk: set[tuple[int, int]] = set()
    for k in sorted(day_rows):
        pending[k] = day_rows[k]
        units_in_chunk.add((k[0], k[1]))
        if len(pending) >= 500:
            add_to_tree(
                campaign_id, pending, {u: counted.pop(u) for u in units_in_chunk if u in counted}
            )
            pending, units_in_chunk = {}, set()
    if pending or counted:
        add_to_tree(campaign_id, pending, counted)


def _add_members(
    campaign_id: int,
    day: dt.date,
    added: dict[tuple[int, int, int], int],
    member_keys: dict[int, set[int]],
    info: dict[int, tuple[list[int], int | None]],
    deltas: dict[tuple[int, int, dt.date], list[int]],
) -> None:
    """Open or extend the members' spans for `added` and move the participating members of
    exactly the units where a member was not present before."""
    members = sorted(member_keys)
    if not members:
        return
    spans: dict[int, list[tuple[int, int]]] = defaultdict(list)
    open_spans: dict[tuple[int, int, int], tuple[int, int]] = {}  # (member, unit, key) -> id, n
    for chunk in chunks(members):
        query = MemberSpan.objects.filter(
            campaign_id=campaign_id, member_id__in=chunk, end__isnull=True, n__gt=0
        )
        if connection.vendor == "postgresql":
            list(
                Member.objects.select_for_update()
                .filter(pk__in=chunk)
                .order_by("pk")
                .values_list("pk")
            )
            query = query.select_for_update()
        for pk, member, unit, key, n in query.values_list(
            "pk", "member_id", "unit_id", "phase_key", "n"
        ):
            spans[member].append((unit, key))
            open_spans[(member, unit, key)] = (pk, n)
    missing = {u for rows in spans.values() for u, _k in rows} - info.keys()
    info.update(chains(missing))
    to_update: list[MemberSpan] = []
    to_create: list[MemberSpan] = []
    after: dict[int, list[tuple[int, int]]] = {m: list(spans[m]) for m in members}
    for (member, unit, key), n in added.items():
        found = open_spans.get((member, unit, key))
        if found is not None:
            to_update.append(MemberSpan(pk=found[0], n=found[1] + n))
        else:
            to_create.append(
                MemberSpan(
                    campaign_id=campaign_id,
                    phase_key=key,
                    member_id=member,
                    unit_id=unit,
                    start=day,
                    n=n,
                )
            )
            after[member].append((unit, key))
    if to_update:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {connection.ops.quote_name(MemberSpan._meta.db_table)} SET n = %s "  # noqa: S608
                "WHERE id = %s",
                [(span.n, span.pk) for span in to_update],
            )
    MemberSpan.objects.bulk_create(to_create, batch_size=500)
    for member in members:
        for key in member_keys[member]:
            gained = _cover(after[member], key, info) - _cover(spans[member], key, info)
            for node in gained:
                deltas[(key, node, day)][5] += 1


# -- open work handed to the unit that answers for a closed one --------------------------------


def hand_over(
    campaign_id: int,
    from_unit: int,
    to_unit: int,
    day: dt.date,
    items: Sequence[tuple[int | None, State]],
) -> None:
    """Initiatives of one campaign (`items`: (phase, state)) move, on `day`, from a closed
    unit to the unit that answers for it: their own rows and their authors' spans leave the
    one and open at the other, so the tree as it stood still finds them where they were. The
    subtree rows do not move: the closed unit already counted for the same chain. Should the
    chains differ, each initiative leaves and arrives as two ordinary changes."""
    counted = [(phase, state) for phase, state in items if state.counted]
    if not counted:
        return
    queue.hand_over(
        campaign_id, from_unit, to_unit, [(phase, state.status) for phase, state in counted]
    )
    info = chains([from_unit, to_unit])
    if info[from_unit] != info[to_unit]:
        for phase, state in counted:
            apply(
                campaign_id=campaign_id, unit_id=from_unit, phase_id=phase,
                before=state, after=NOTHING, day=day,
            )  # fmt: skip
            apply(
                campaign_id=campaign_id, unit_id=to_unit, phase_id=phase,
                before=NOTHING, after=state, day=day,
            )  # fmt: skip
        return
    own: dict[int, list[int]] = defaultdict(lambda: [0] * len(COUNTERS))
    authored: dict[tuple[int, int], int] = defaultdict(int)  # (member, phase key) -> count
    for phase, state in counted:
        vec = own[phase or 0]
        for i, v in enumerate(state.vector()):
            vec[i] += v
        for member in set(state.members):
            authored[(member, phase or 0)] += 1
    rows = []
    for key, vec in own.items():
        rows.append((campaign_id, key, from_unit, day, *[-v for v in vec]))
        rows.append((campaign_id, key, to_unit, day, *vec))
    _upsert("stats_ownday", TREE_KEYS_DAY, COUNTERS, rows)
    members = sorted({m for m, _k in authored})
    if connection.vendor == "postgresql":
        list(
            Member.objects.select_for_update()
            .filter(pk__in=members)
            .order_by("pk")
            .values_list("pk")
        )
    for (member, key), n in sorted(authored.items()):
        _shift_span(campaign_id, key, member, from_unit, -n, day)
        _shift_span(campaign_id, key, member, to_unit, n, day)


def _shift_span(
    campaign_id: int, key: int, member: int, unit_id: int, n: int, day: dt.date
) -> None:
    """Add `n` (any sign) to a member's open span at (unit, phase), opening or closing it."""
    span = (
        MemberSpan.objects.filter(
            campaign_id=campaign_id,
            phase_key=key,
            member_id=member,
            unit_id=unit_id,
            end__isnull=True,
        )  # fmt: skip
        .select_for_update()
        .first()
    )
    if span is None:
        if n < 0:
            raise AssertionError(f"member {member} has no open span at unit {unit_id}")
        MemberSpan.objects.create(
            campaign_id=campaign_id, phase_key=key, member_id=member, unit_id=unit_id,
            start=day, n=n,
        )  # fmt: skip
        return
    span.n += n
    if span.n > 0:
        span.save(update_fields=["n"])
    elif span.start == day:
        span.delete()  # present for no whole day
    else:
        span.n = 0
        span.end = day
        span.save(update_fields=["n", "end"])
