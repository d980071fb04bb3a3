"""Cumulative checkpoints of the subtree figures (`TreeAsOf`), so that a figure as of a past
date costs one read by key, as one as of today does.

For every `TreeDay` row (campaign, phase key, unit, day) there is a `TreeAsOf` row holding
the sum of that unit's day rows up to and including the day. As of a date D a unit's figures
are those of its latest checkpoint on or before D (none: zeros).

- `follow`: after day rows were added to (the engine, in the same transaction), the
  checkpoints of those days are set to the day's row plus the checkpoint before it, and
  those of later days (a change dated in the past) move by the same amounts.
- `fill`: every checkpoint of a campaign (or of some units) from the day rows in one
  set-based statement (a running sum, `SUM() OVER`).
- `as_of`: the figures of some units as of a date, one statement per chunk of units.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection

from sangkien.core.batches import chunks

from .models import TREE_COUNTERS, TreeAsOf

TABLE = "stats_treeasof"
DAYS = "stats_treeday"


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


def follow(campaign_id: int, rows: Sequence[tuple[int, int, dt.date, Sequence[int]]]) -> None:
    """`rows` (phase key, unit, day, what was added) were just added to the day rows."""
    if not rows:
        return
    cols = [_qn(c) for c in TREE_COUNTERS]
    for chunk in chunks(sorted({(k, u, d) for k, u, d, _v in rows}), 250):
        # An OR of whole keys (SQLite reads each by the index; a row-value IN over VALUES
        # would scan the campaign's rows).
        values = " OR ".join(["(t.phase_key = %s AND t.unit_id = %s AND t.day = %s)"] * len(chunk))
        params: list[Any] = [campaign_id]
        for key, unit, day in chunk:
            params += [key, unit, day]
        # The day's checkpoint: the day's row plus the latest checkpoint before the day.
        sums = ", ".join(f"t.{c} + COALESCE(p.{c}, 0)" for c in cols)
        sets = ", ".join(f"{c} = excluded.{c}" for c in cols)
        sql = f"""INSERT INTO {TABLE} (campaign_id, phase_key, unit_id, day, {", ".join(cols)})
            SELECT t.campaign_id, t.phase_key, t.unit_id, t.day, {sums}
            FROM {DAYS} t LEFT JOIN {TABLE} p ON p.campaign_id = t.campaign_id
                AND p.phase_key = t.phase_key AND p.unit_id = t.unit_id
                AND p.day = (SELECT MAX(q.day) FROM {TABLE} q WHERE q.campaign_id = t.campaign_id
                             AND q.phase_key = t.phase_key AND q.unit_id = t.unit_id
                             AND q.day < t.day)
            WHERE t.campaign_id = %s AND ({values})
            ON CONFLICT (campaign_id, phase_key, unit_id, day) DO UPDATE SET {sets}"""  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
    # Checkpoints after a day that moved (a change dated before the last one) move too.
    earliest: dict[tuple[int, int], dt.date] = {}
    for key, unit, day, _v in rows:
        if (key, unit) not in earliest or day < earliest[(key, unit)]:
            earliest[(key, unit)] = day
    later = _later(campaign_id, earliest)
    if not later:
        return
    with connection.cursor() as cursor:
        for key, unit, day, vec in rows:
            if (key, unit) in later and later[(key, unit)] > day and any(vec):
                adds = ", ".join(f"{c} = {c} + %s" for c in cols)
                cursor.execute(
                    f"UPDATE {TABLE} SET {adds} WHERE campaign_id = %s AND phase_key = %s "  # noqa: S608
                    "AND unit_id = %s AND day > %s",
                    [*vec, campaign_id, key, unit, day],
                )


def _later(campaign_id: int, earliest: dict[tuple[int, int], dt.date]) -> dict:
    """{(phase key, unit): its last checkpoint day} for those with one after their day."""
    out: dict[tuple[int, int], dt.date] = {}
    keys = sorted(earliest)
    for chunk in chunks(keys, 100):
        # Each key's last day by the index (MAX over a whole key prefix is one seek).
        one = (
            f"SELECT %s, %s, (SELECT MAX(day) FROM {TABLE} WHERE campaign_id = %s "  # noqa: S608
            "AND phase_key = %s AND unit_id = %s)"
        )
        params: list[Any] = []
        for key, unit in chunk:
            params += [key, unit, campaign_id, key, unit]
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join([one] * len(chunk)), params)
            for key, unit, last in cursor.fetchall():
                if last is None:
                    continue
                if isinstance(last, str):
                    last = dt.date.fromisoformat(last)
                if last > earliest[(key, unit)]:
                    out[(key, unit)] = last
    return out


def fill(campaign_id: int | None = None, unit_ids: Iterable[int] | None = None) -> None:
    """The checkpoints of a campaign (every one when None), or of some units only, again
    from the day rows: a running sum per unit in one statement."""
    cols = [_qn(c) for c in TREE_COUNTERS]
    running = ", ".join(
        f"SUM({c}) OVER (PARTITION BY campaign_id, phase_key, unit_id ORDER BY day)" for c in cols
    )
    groups: list[list[int] | None] = (
        [None] if unit_ids is None else list(chunks(sorted(set(unit_ids)), 500))
    )
    for group in groups:
        rows = TreeAsOf.objects.all()
        where, params = "1 = 1", []
        if campaign_id is not None:
            rows = rows.filter(campaign_id=campaign_id)
            where += " AND campaign_id = %s"
            params.append(campaign_id)
        if group is not None:
            rows = rows.filter(unit_id__in=group)
            where += f" AND unit_id IN ({', '.join(['%s'] * len(group))})"
            params += group
        rows.delete()
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {TABLE} (campaign_id, phase_key, unit_id, day, {', '.join(cols)}) "  # noqa: S608
                f"SELECT campaign_id, phase_key, unit_id, day, {running} FROM {DAYS} "
                f"WHERE {where}",
                params,
            )


def as_of(
    unit_ids: Sequence[int], campaign_id: int, key: int, day: dt.date
) -> dict[int, list[int]]:
    """{unit: its 7 counters as of the end of `day`} (units with no checkpoint by then are
    left out: zeros)."""
    cols = ", ".join(f"c.{_qn(c)}" for c in TREE_COUNTERS)
    out: dict[int, list[int]] = {}
    for chunk in chunks(unit_ids):
        marks = ", ".join(["%s"] * len(chunk))
        # Per unit, one step back along the key's index from the date (never its other days).
        sql = f"""SELECT c.unit_id, {cols} FROM {TABLE} c WHERE c.id IN (
            SELECT (SELECT m.id FROM {TABLE} m WHERE m.campaign_id = %s AND m.phase_key = %s
                    AND m.unit_id = v.id AND m.day <= %s ORDER BY m.day DESC LIMIT 1)
            FROM orgs_unit v WHERE v.id IN ({marks}))"""  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, [campaign_id, key, day, *chunk])
            for unit, *vec in cursor.fetchall():
                out[unit] = [int(v or 0) for v in vec]
    return out
