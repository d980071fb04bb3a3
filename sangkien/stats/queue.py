"""The review queue's counts per status, from `QueueTotal` (one row per unit, campaign and
phase key) instead of a count over the initiatives on every request.

- `move`: an initiative's queue status changes (kept by `engine.record` in the transaction
  of the step); `add_new`: many initiatives enter the queue at once (imports).
- `counts`: the counts of the queue under some paths, for a campaign or all, and a phase or
  all: a few rows read by key, whatever the size of the queue.
- `build`: every row of one campaign (or all) from the base tables in two set-based
  statements (`INSERT … SELECT … GROUP BY`); `repair`: the rows of some units, after a
  reorganisation moved initiatives or units under or out of them; `recount`: the same
  figures from the base tables, for the checks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection

from sangkien.core.batches import chunks
from sangkien.core.paths import minimal_paths
from sangkien.orgs.models import PATH_END, SEGMENT, Unit, decode_path

from .models import QUEUE_COUNTERS, QueueTotal
from .upsert import upsert

KEYS = ("unit_id", "campaign_id", "phase_key")
# The statuses of the queue, as `initiatives.models.IN_QUEUE` has them.
STATUSES = frozenset(QUEUE_COUNTERS)


def status_in_queue(status: str, submitted_at: Any) -> str | None:
    """The column an initiative counts in: none before its first submission."""
    return status if submitted_at is not None and status in STATUSES else None


def _vector(status: str | None, sign: int) -> list[int]:
    return [sign if status == c else 0 for c in QUEUE_COUNTERS]


def _upsert(rows: list[tuple]) -> None:
    for chunk in chunks(sorted(rows), 500):
        upsert(QueueTotal._meta.db_table, KEYS, QUEUE_COUNTERS, chunk)


def _keys(phase_id: int | None) -> tuple[int, ...]:
    return (0, phase_id) if phase_id else (0,)


def move(
    *,
    campaign_id: int,
    unit_id: int,
    phase_id: int | None,
    before: str | None,
    after: str | None,
    path: str | None = None,
) -> None:
    """One initiative's queue status goes from `before` to `after` (None: not in the queue),
    under `unit_id` and every unit above it."""
    if before == after:
        return
    if path is None:
        path = Unit.objects.values_list("path", flat=True).get(pk=unit_id)
    vec = [a + b for a, b in zip(_vector(after, 1), _vector(before, -1), strict=True)]
    _upsert(
        [(node, campaign_id, key, *vec) for node in decode_path(path) for key in _keys(phase_id)]
    )


def add_new(campaign_id: int, items: Iterable[tuple[int, int | None, str]]) -> None:
    """Many initiatives (unit, phase, status) enter the queue of one campaign."""
    per_unit: dict[tuple[int, int | None], list[int]] = defaultdict(lambda: [0] * 5)
    for unit, phase, status in items:
        for i, v in enumerate(_vector(status, 1)):
            per_unit[(unit, phase)][i] += v
    if not per_unit:
        return
    paths: dict[int, str] = {}
    for chunk in chunks(sorted({u for u, _p in per_unit})):
        paths.update(Unit.objects.filter(pk__in=chunk).values_list("pk", "path"))
    rows: dict[tuple[int, int, int], list[int]] = defaultdict(lambda: [0] * 5)
    for (unit, phase), vec in per_unit.items():
        for node in decode_path(paths[unit]):
            for key in _keys(phase):
                row = rows[(node, campaign_id, key)]
                for i, v in enumerate(vec):
                    row[i] += v
    _upsert([(*k, *v) for k, v in rows.items() if any(v)])


def hand_over(
    campaign_id: int, from_unit: int, to_unit: int, items: Sequence[tuple[int | None, str]]
) -> None:
    """Initiatives (phase, status) of the queue move from one unit to another."""
    paths = dict(Unit.objects.filter(pk__in=[from_unit, to_unit]).values_list("pk", "path"))
    rows: dict[tuple[int, int, int], list[int]] = defaultdict(lambda: [0] * 5)
    for phase, status in items:
        for unit, sign in ((from_unit, -1), (to_unit, 1)):
            for node in decode_path(paths[unit]):
                for key in _keys(phase):
                    row = rows[(node, campaign_id, key)]
                    for i, v in enumerate(_vector(status_in_queue(status, True), sign)):
                        row[i] += v
    _upsert([(*k, *v) for k, v in rows.items() if any(v)])


def counts(paths: Sequence[str], *, campaign: Any = None, phase: Any = None) -> dict[str, int]:
    """The queue counts per status under `paths` (the subtrees of a reader's roles, or of the
    units asked for; "" is every unit), of one campaign or all, one phase or all: one query
    over a few rows (one per unit and campaign)."""
    out = dict.fromkeys(QUEUE_COUNTERS, 0)
    tops = minimal_paths(list(paths))
    if not tops:
        return out
    rows = QueueTotal.objects.filter(phase_key=phase.pk if phase is not None else 0)
    if "" in tops:
        rows = rows.filter(unit__parent__isnull=True)
    else:
        rows = rows.filter(unit__path__in=tops)
    if campaign is not None:
        rows = rows.filter(campaign=campaign)
    for vec in rows.values_list(*QUEUE_COUNTERS):
        for name, v in zip(QUEUE_COUNTERS, vec, strict=True):
            out[name] += v
    return out


# -- set-based building ----------------------------------------------------------------------


def _depths_cte() -> str:
    return (
        "WITH RECURSIVE d(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM d WHERE n < "
        "(SELECT MAX(depth) FROM orgs_unit))"
    )


def _sums(alias: str) -> str:
    return ", ".join(f"SUM({alias}.{c})" for c in QUEUE_COUNTERS)


def _cases() -> str:
    return ", ".join(f"SUM(CASE WHEN i.status = '{c}' THEN 1 ELSE 0 END)" for c in QUEUE_COUNTERS)


def _fill(campaign_id: int | None, paths: Sequence[str] | None = None) -> None:
    """Insert the rows of `campaign_id` (all when None) for every unit, or for the units at
    `paths` only, in two statements: the counts of each unit's own initiatives by status
    into a work table, then their sums at every unit above (found by the path prefix)."""
    qn = connection.ops.quote_name
    table = qn(QueueTotal._meta.db_table)
    cols = ", ".join(qn(c) for c in QUEUE_COUNTERS)
    params: list[Any] = []
    where = "i.submitted_at IS NOT NULL"
    if campaign_id is not None:
        where += " AND i.campaign_id = %s"
        params.append(campaign_id)
    if paths is not None:
        where += " AND (" + " OR ".join(["(u.path >= %s AND u.path < %s)"] * len(paths)) + ")"
        for p in paths:
            params += [p, p + PATH_END]
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS stats_queue_own")
        cursor.execute(
            "CREATE TEMPORARY TABLE stats_queue_own (unit_id BIGINT, campaign_id BIGINT, "
            "phase_key BIGINT, path VARCHAR(255), depth INTEGER, "
            + ", ".join(f"{qn(c)} BIGINT" for c in QUEUE_COUNTERS)
            + ")"
        )
        # Each unit's own initiatives, once under the whole campaign (0) and once under
        # their phase.
        own = f"""SELECT i.unit_id, i.campaign_id, {{key}}, u.path, u.depth, {_cases()}
                  FROM initiatives_initiative i JOIN orgs_unit u ON u.id = i.unit_id
                  WHERE {where}{{extra}} GROUP BY i.unit_id, i.campaign_id, u.path,
                  u.depth{{group}}"""  # noqa: S608 - names and values are this module's
        cursor.execute(
            "INSERT INTO stats_queue_own "  # noqa: S608 - names are this module's own
            + own.format(key="0", extra="", group="")
            + " UNION ALL "
            + own.format(
                key="i.phase_id", extra=" AND i.phase_id IS NOT NULL", group=", i.phase_id"
            ),
            params + params,
        )
        target = ""
        target_params: list[Any] = []
        if paths is not None:
            target = " WHERE a.path IN (" + ", ".join(["%s"] * len(paths)) + ")"
            target_params = list(paths)
        cursor.execute(
            f"""{_depths_cte()}
                INSERT INTO {table} (unit_id, campaign_id, phase_key, {cols})
                SELECT a.id, o.campaign_id, o.phase_key, {_sums("o")}
                FROM stats_queue_own o JOIN d ON d.n <= o.depth
                JOIN orgs_unit a ON a.path = SUBSTR(o.path, 1, {SEGMENT} * (d.n + 1))
                {target}
                GROUP BY a.id, o.campaign_id, o.phase_key""",  # noqa: S608
            target_params,
        )
        cursor.execute("DROP TABLE stats_queue_own")


def build(campaign_id: int | None = None) -> None:
    """Every row of one campaign (all when None) again from the base tables."""
    rows = QueueTotal.objects.all()
    if campaign_id is not None:
        rows = rows.filter(campaign_id=campaign_id)
    rows.delete()
    _fill(campaign_id)


def repair(unit_ids: Iterable[int]) -> None:
    """The rows of these units again from the base tables (their subtrees changed)."""
    ids = sorted(set(unit_ids))
    for chunk in chunks(ids, 200):
        paths = list(Unit.objects.filter(pk__in=chunk).values_list("path", flat=True))
        QueueTotal.objects.filter(unit_id__in=chunk).delete()
        if paths:
            _fill(None, paths)


def path_chains(unit_ids: Iterable[int]) -> dict[int, list[int]]:
    """Each unit's chain by its path as it stands (the queue's subtrees)."""
    out: dict[int, list[int]] = {}
    for chunk in chunks(sorted(set(unit_ids))):
        for pk, path in Unit.objects.filter(pk__in=chunk).values_list("pk", "path"):
            out[pk] = decode_path(path)
    return out


def touched(before: dict[int, list[int]], after: dict[int, list[int]]) -> set[int]:
    """The units whose queue subtrees a reorganisation changed: those a unit of its scope
    left or came under (initiatives handed over move by `hand_over`)."""
    out: set[int] = set()
    for unit, chain in before.items():
        if unit in after:
            out |= set(chain) ^ set(after[unit])
    return out


def recount(campaign_id: int) -> dict[tuple[int, int], list[int]]:
    """{(unit, phase key): counts} of every unit from the base tables (for the checks)."""
    own: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0] * 5)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT u.path, i.phase_id, {_cases()} FROM initiatives_initiative i
                JOIN orgs_unit u ON u.id = i.unit_id
                WHERE i.submitted_at IS NOT NULL AND i.campaign_id = %s
                GROUP BY u.path, i.phase_id""",  # noqa: S608
            [campaign_id],
        )
        for path, phase, *vec in cursor.fetchall():
            for node in decode_path(path):
                for key in _keys(phase):
                    row = own[(node, key)]
                    for i, v in enumerate(vec):
                        row[i] += int(v or 0)
    return dict(own)


def stored(campaign_id: int) -> dict[tuple[int, int], list[int]]:
    return {
        (unit, key): list(vec)
        for unit, key, *vec in QueueTotal.objects.filter(campaign_id=campaign_id).values_list(
            "unit_id", "phase_key", *QUEUE_COUNTERS
        )
        if any(vec)
    }
