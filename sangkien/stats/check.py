"""`sangkien check-stats`: every figure of DESIGN.md ("Statistics: one definition each")
counted again straight from the base tables, in this module's own SQL, and compared with
what the API and the dashboard serve.

What it reads, as facts: the initiatives (unit, phase, first submission, status, claimed and
validated benefit), their authors, their history rows (the status each step reached, when,
the benefit and the member authors recorded then, and the unit an initiative was moved from
by a reorganisation), the units (path, parent, kind, status, successor, closing date), their
dated versions, the quotas, the implementation plans and the members. It imports nothing
from the aggregates' engine, their replay or `figures` (the code it checks): the
definitions are written again here, in SQL, from the text of DESIGN.md.

What it compares, for every campaign, the whole campaign and each phase, and a few
deterministic dates (the campaign's start, each phase's end, the campaign's end, and today),
on the current tree and on the tree as it stood on the date (`tree=dated`):
- every figure of `figures.report()` (what the API, the dashboard, the exports and the
  reports serve) for every active unit, as a child of its parent's report: submitted, valid,
  pending, invalid, participating members and grassroots units, claimed and validated
  benefit, quota, quota % and the standard competition ranks among siblings and (current
  tree) among the units of the same level, by each of the four measures;
- the implementation-plan coverage of every unit (current tree, today);
- `Unit.members_total` of every unit;
- the review-queue counts per status of every active unit, and that the open work in a
  unit's queue (under review or returned) is what its figures count as pending.

It runs in bounded memory: the recount lives in temporary tables and is aggregated per
batch of units along the materialised path with GROUP BY; Python holds one parent's
children at a time. The dated tree is built from `UnitVersion` (the parent and kind of
each unit on that date) and each closed unit's successor and closing date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone

from sangkien.campaigns.models import Campaign, Phase
from sangkien.initiatives.models import Author, HistoryEntry, Initiative
from sangkien.orgs.models import Member, Unit, UnitVersion
from sangkien.plans.models import Plan
from sangkien.quotas.models import Quota

CURRENT, DATED = "current", "dated"
MEASURES = ("initiatives_valid", "participating_members", "benefit_valid_vnd", "quota_percent")
# The columns of a recounted unit, in the order of the temporary table `ck_fig`.
FIG_COLUMNS = (
    "initiatives_submitted",
    "initiatives_valid",
    "initiatives_pending",
    "initiatives_invalid",
    "benefit_claimed_vnd",
    "benefit_valid_vnd",
    "participating_members",
    "participating_units",
    "quota",
    "quota_percent",
)
BATCH = 500  # units per aggregate statement
QUEUE_STATUSES = ("submitted", "returned", "valid", "invalid", "withdrawn")


@dataclass(frozen=True)
class Difference:
    unit: str
    campaign: str
    phase: int | None
    figure: str
    as_of: dt.date | None
    tree: str
    served: Any
    recounted: Any

    def __str__(self) -> str:
        phase = "-" if self.phase is None else str(self.phase)
        day = self.as_of.isoformat() if self.as_of else "-"
        return (
            f"unit={self.unit} campaign={self.campaign} phase={phase} figure={self.figure} "
            f"as_of={day} tree={self.tree} served={self.served} recount={self.recounted}"
        )


def _t(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _text_type() -> str:
    # Paths compare byte by byte ("~" after every digit), whatever the database's locale.
    return 'TEXT COLLATE "C"' if connection.vendor == "postgresql" else "TEXT"


def _pad(expr: str) -> str:
    """A fixed-width text of an id, so that dated paths sort and nest like real ones."""
    if connection.vendor == "postgresql":
        return f"lpad(CAST({expr} AS TEXT), 10, '0')"
    return f"printf('%%010d', {expr})"


def _json_members(alias: str) -> str:
    """FROM-clause items listing the member ids of `alias`.members (a JSON array)."""
    if connection.vendor == "postgresql":
        return f"jsonb_array_elements_text({alias}.members::jsonb) AS j(value)"
    return f"json_each({alias}.members) AS j"


def _boundary(day: dt.date) -> Any:
    """The first moment after `day` in local time, as the database stores moments."""
    moment = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
    return connection.ops.adapt_datetimefield_value(moment)


def tenths(part: int, whole: int | None) -> Decimal | None:
    """part / whole × 100 to one decimal, half up, in integers; None without a whole."""
    if not whole:
        return None
    return Decimal((2000 * part + whole) // (2 * whole)) / 10


class _Sql:
    def __init__(self) -> None:
        self.cursor = connection.cursor()

    def run(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.cursor.execute(sql, list(params))

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        self.cursor.execute(sql, list(params))
        return self.cursor.fetchall()

    def temp(self, name: str, columns: str) -> None:
        self.run(f"DROP TABLE IF EXISTS {name}")
        self.run(f"CREATE TEMPORARY TABLE {name} ({columns})")

    def close(self) -> None:
        self.cursor.close()


TEMP_TABLES = (
    "ck_home", "ck_gr", "ck_dtree", "ck_dhome", "ck_last", "ck_state", "ck_auth", "ck_row",
    "ck_arow", "ck_fig", "ck_quota", "ck_mcount", "ck_qcount",
)  # fmt: skip


class Checker:
    """One run of the check; `run()` yields the differences as they are found."""

    def __init__(
        self,
        *,
        campaigns: Iterable[Campaign] | None = None,
        dates: Callable[[Campaign], list[dt.date]] | None = None,
        trees: Sequence[str] = (CURRENT, DATED),
        dated_parents: int | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        if campaigns is None:
            campaigns = Campaign.objects.order_by("pk")
        self.campaigns = list(campaigns)
        self.dates = dates or sample_dates
        self.trees = tuple(trees)
        self.dated_parents = dated_parents
        self.progress = progress or (lambda _message: None)
        self.sql = _Sql()
        self.compared = 0
        self.unit_code: dict[int, str] = {}

    # -- the plumbing ---------------------------------------------------------------------

    def code(self, pk: int) -> str:
        code = self.unit_code.get(pk)
        if code is None:
            code = Unit.objects.filter(pk=pk).values_list("code", flat=True).first() or str(pk)
            if len(self.unit_code) < 10_000:
                self.unit_code[pk] = code
        return code

    def run(self) -> Iterator[Difference]:
        try:
            yield from self._members_total()
            self._current_tree_tables()
            for campaign in self.campaigns:
                yield from self._campaign(campaign)
        finally:
            for name in TEMP_TABLES:
                self.sql.run(f"DROP TABLE IF EXISTS {name}")
            self.sql.close()

    def _unit_batches(self, where: str = "", params: Sequence[Any] = ()) -> Iterator[tuple]:
        """(first path, last path) of consecutive batches of units in path order."""
        unit = _t(Unit)
        last = None
        while True:
            cond = [where] if where else []
            args = list(params)
            if last is not None:
                cond.append("path > %s")
                args.append(last)
            clause = f"WHERE {' AND '.join(cond)}" if cond else ""
            rows = self.sql.rows(
                f"SELECT path FROM {unit} {clause} ORDER BY path LIMIT {BATCH}",  # noqa: S608
                args,
            )
            if not rows:
                return
            yield rows[0][0], rows[-1][0]
            last = rows[-1][0]

    # -- members_total -------------------------------------------------------------------

    def _members_total(self) -> Iterator[Difference]:
        """Current members (not left) of each unit and every unit below it."""
        unit, member = _t(Unit), _t(Member)
        self.progress("members_total")
        self.sql.temp("ck_mcount", f"path {_text_type()}, n BIGINT")
        self.sql.run(
            f"""INSERT INTO ck_mcount SELECT mu.path, COUNT(*) FROM {member} m
                JOIN {unit} mu ON mu.id = m.unit_id WHERE m.left_on IS NULL
                GROUP BY mu.path"""  # noqa: S608
        )
        self.sql.run("CREATE INDEX ck_mcount_path ON ck_mcount (path)")
        for lo, hi in self._unit_batches():
            for code, served, counted in self.sql.rows(
                f"""SELECT t.code, t.members_total, (
                        SELECT COALESCE(SUM(c.n), 0) FROM ck_mcount c
                        WHERE c.path >= t.path AND c.path < t.path || '~') AS n
                    FROM {unit} t WHERE t.path >= %s AND t.path <= %s""",  # noqa: S608
                [lo, hi],
            ):
                self.compared += 1
                if served != int(counted):
                    yield Difference(
                        code, "-", None, "members_total", None, CURRENT, served, int(counted)
                    )

    # -- the trees ----------------------------------------------------------------------

    def _current_tree_tables(self) -> None:
        """ck_home: the unit that answers for each unit now (following successors);
        ck_gr: the deepest grassroots unit on each unit's chain of parents, and its level."""
        unit = _t(Unit)
        self.sql.temp("ck_home", "unit_id INTEGER PRIMARY KEY, home_id INTEGER NOT NULL")
        self.sql.run(
            f"""INSERT INTO ck_home (unit_id, home_id)
                WITH RECURSIVE walk(unit_id, cur, steps) AS (
                    SELECT id, id, 0 FROM {unit}
                    UNION ALL
                    SELECT w.unit_id, u.successor_id, w.steps + 1
                    FROM walk w JOIN {unit} u ON u.id = w.cur
                    WHERE u.successor_id IS NOT NULL AND w.steps < 64
                )
                SELECT w.unit_id, w.cur FROM walk w JOIN {unit} u ON u.id = w.cur
                WHERE u.successor_id IS NULL"""  # noqa: S608
        )
        self.sql.temp("ck_gr", "unit_id INTEGER PRIMARY KEY, g_id INTEGER, g_level INTEGER")
        self.sql.run(
            f"""INSERT INTO ck_gr (unit_id, g_id, g_level)
                WITH RECURSIVE down(id, g, gl, lvl) AS (
                    SELECT id, CASE WHEN kind = 'grassroots' THEN id END,
                           CASE WHEN kind = 'grassroots' THEN 0 END, 0
                    FROM {unit} WHERE parent_id IS NULL
                    UNION ALL
                    SELECT u.id, CASE WHEN u.kind = 'grassroots' THEN u.id ELSE d.g END,
                           CASE WHEN u.kind = 'grassroots' THEN d.lvl + 1 ELSE d.gl END,
                           d.lvl + 1
                    FROM {unit} u JOIN down d ON u.parent_id = d.id
                    WHERE d.lvl < 64
                )
                SELECT id, g, gl FROM down"""  # noqa: S608
        )

    def _dated_tree_tables(self, day: dt.date) -> None:
        """ck_dtree: the tree as it stood on `day` (versions in force that day), with a path
        of padded ids, the level, and the deepest grassroots unit above each unit;
        ck_dhome: for each unit, the unit that answered for it on that day (a unit closed
        by then counts for its successor, and so on)."""
        unit, version = _t(Unit), _t(UnitVersion)
        text = _text_type()
        self.sql.temp(
            "ck_dtree",
            f"unit_id INTEGER PRIMARY KEY, parent_id INTEGER, dpath {text}, lvl INTEGER, "
            "g_id INTEGER, g_level INTEGER",
        )
        in_force = (
            f"SELECT unit_id, parent_id, kind FROM {version} "  # noqa: S608
            "WHERE valid_from <= %s AND (valid_to IS NULL OR valid_to > %s)"
        )
        self.sql.run(
            f"""INSERT INTO ck_dtree (unit_id, parent_id, dpath, lvl, g_id, g_level)
                WITH RECURSIVE v AS ({in_force}),
                down(id, parent, dpath, lvl, g, gl) AS (
                    SELECT unit_id, parent_id, {_pad("unit_id")}, 0,
                           CASE WHEN kind = 'grassroots' THEN unit_id END,
                           CASE WHEN kind = 'grassroots' THEN 0 END
                    FROM v WHERE parent_id IS NULL
                    UNION ALL
                    SELECT v.unit_id, v.parent_id, d.dpath || {_pad("v.unit_id")}, d.lvl + 1,
                           CASE WHEN v.kind = 'grassroots' THEN v.unit_id ELSE d.g END,
                           CASE WHEN v.kind = 'grassroots' THEN d.lvl + 1 ELSE d.gl END
                    FROM v JOIN down d ON v.parent_id = d.id
                    WHERE d.lvl < 64
                )
                SELECT id, parent, dpath, lvl, g, gl FROM down""",  # noqa: S608
            [day, day],
        )
        self.sql.run("CREATE INDEX ck_dtree_path ON ck_dtree (dpath)")
        self.sql.run("CREATE INDEX ck_dtree_parent ON ck_dtree (parent_id)")
        self.sql.temp("ck_dhome", "unit_id INTEGER PRIMARY KEY, home_id INTEGER NOT NULL")
        self.sql.run(
            f"""INSERT INTO ck_dhome (unit_id, home_id)
                WITH RECURSIVE walk(unit_id, cur, steps) AS (
                    SELECT id, id, 0 FROM {unit}
                    UNION ALL
                    SELECT w.unit_id, u.successor_id, w.steps + 1
                    FROM walk w JOIN {unit} u ON u.id = w.cur
                    WHERE u.successor_id IS NOT NULL AND u.closed_on IS NOT NULL
                      AND u.closed_on <= %s AND w.steps < 64
                )
                SELECT w.unit_id, w.cur FROM walk w JOIN {unit} u ON u.id = w.cur
                WHERE NOT (u.successor_id IS NOT NULL AND u.closed_on IS NOT NULL
                           AND u.closed_on <= %s)""",  # noqa: S608
            [day, day],
        )

    # -- the initiatives as of a date ---------------------------------------------------

    def _states(self, campaign: Campaign, day: dt.date, live: bool) -> None:
        """ck_state: each initiative of the campaign counted as of `day` (submitted by then
        and not withdrawn), with its phase, its unit now and on that day, its kind (P
        pending, V valid, I invalid), claimed and validated benefit; ck_auth: its member
        authors then. Live (today): from the initiative rows and the authors table. Earlier:
        from the last history row on or before that day (local time)."""
        ini, hist, author = _t(Initiative), _t(HistoryEntry), _t(Author)
        self.sql.temp(
            "ck_state",
            "ini_id INTEGER PRIMARY KEY, phase_key INTEGER, unit_now INTEGER, unit_then INTEGER, "
            "kind CHAR(1), claimed BIGINT, benefit BIGINT",
        )
        self.sql.temp("ck_auth", "ini_id INTEGER, member_id INTEGER")
        kind = (
            "CASE {s} WHEN 'valid' THEN 'V' WHEN 'invalid' THEN 'I' "
            "WHEN 'submitted' THEN 'P' WHEN 'returned' THEN 'P' END"
        )
        counted = "('submitted', 'returned', 'valid', 'invalid')"
        end = _boundary(day)
        # The unit an initiative stood under on `day`: the one the first move after that day
        # took it from, else the one it stands under now.
        moved_from = (
            f"(SELECT mv.moved_from_id FROM {hist} mv WHERE mv.initiative_id = i.id "  # noqa: S608
            "AND mv.action = 'moved' AND mv.moved_from_id IS NOT NULL AND mv.at >= %s "
            "ORDER BY mv.at, mv.id LIMIT 1)"
        )
        if live:
            self.sql.run(
                f"""INSERT INTO ck_state
                    SELECT i.id, COALESCE(i.phase_id, 0), i.unit_id, i.unit_id,
                           {kind.format(s="i.status")}, i.benefit_claimed_vnd,
                           CASE WHEN i.status = 'valid' THEN COALESCE(i.benefit_valid_vnd, 0)
                                ELSE 0 END
                    FROM {ini} i
                    WHERE i.campaign_id = %s AND i.submitted_at IS NOT NULL
                      AND i.submitted_at < %s AND i.status IN {counted}""",  # noqa: S608
                [campaign.pk, end],
            )
            self.sql.run(
                f"""INSERT INTO ck_auth SELECT DISTINCT a.initiative_id, a.member_id
                    FROM {author} a JOIN ck_state s ON s.ini_id = a.initiative_id
                    WHERE a.member_id IS NOT NULL"""  # noqa: S608
            )
            return
        json = "JSONB" if connection.vendor == "postgresql" else "TEXT"
        self.sql.temp(
            "ck_last", f"ini_id INTEGER PRIMARY KEY, to_status VARCHAR(16), members {json}"
        )
        self.sql.run(
            f"""INSERT INTO ck_last
                SELECT initiative_id, to_status, members FROM (
                    SELECT h.initiative_id, h.to_status, h.members,
                           ROW_NUMBER() OVER (PARTITION BY h.initiative_id
                                              ORDER BY h.at DESC, h.id DESC) AS rn
                    FROM {hist} h JOIN {ini} i ON i.id = h.initiative_id
                    WHERE i.campaign_id = %s AND i.submitted_at < %s AND h.at < %s
                ) last WHERE rn = 1 AND to_status IN {counted}""",  # noqa: S608
            [campaign.pk, end, end],
        )
        # The claimed benefit: the last one recorded by then. The validated benefit: the one
        # the last validation by then accepted.
        self.sql.run(
            f"""INSERT INTO ck_state
                SELECT i.id, COALESCE(i.phase_id, 0), i.unit_id,
                       COALESCE({moved_from}, i.unit_id),
                       {kind.format(s="l.to_status")},
                       COALESCE((SELECT c.benefit_claimed_vnd FROM {hist} c
                                 WHERE c.initiative_id = i.id AND c.at < %s
                                   AND c.benefit_claimed_vnd IS NOT NULL
                                 ORDER BY c.at DESC, c.id DESC LIMIT 1), 0),
                       CASE WHEN l.to_status = 'valid' THEN
                           COALESCE((SELECT v.benefit_valid_vnd FROM {hist} v
                                     WHERE v.initiative_id = i.id AND v.at < %s
                                       AND v.action = 'validated'
                                     ORDER BY v.at DESC, v.id DESC LIMIT 1), 0)
                       ELSE 0 END
                FROM ck_last l JOIN {ini} i ON i.id = l.ini_id""",  # noqa: S608
            [end, end, end],
        )
        self.sql.run(
            f"""INSERT INTO ck_auth SELECT DISTINCT l.ini_id, CAST(j.value AS INTEGER)
                FROM ck_last l, {_json_members("l")}"""  # noqa: S608
        )

    def _rows(self, tree: str) -> None:
        """ck_row: each counted initiative at the path of the unit that answers for it on
        the chosen tree, with the grassroots unit above that unit; ck_arow: its authors."""
        unit = _t(Unit)
        text = _text_type()
        self.sql.temp(
            "ck_row",
            f"ini_id INTEGER PRIMARY KEY, phase_key INTEGER, path {text}, g_id INTEGER, "
            "g_level INTEGER, kind CHAR(1), claimed BIGINT, benefit BIGINT",
        )
        self.sql.temp("ck_arow", f"member_id INTEGER, phase_key INTEGER, path {text}")
        if tree == CURRENT:
            self.sql.run(
                f"""INSERT INTO ck_row
                    SELECT s.ini_id, s.phase_key, u.path, g.g_id, g.g_level, s.kind,
                           s.claimed, s.benefit
                    FROM ck_state s JOIN ck_home h ON h.unit_id = s.unit_now
                    JOIN {unit} u ON u.id = h.home_id
                    JOIN ck_gr g ON g.unit_id = h.home_id"""  # noqa: S608
            )
        else:
            self.sql.run(
                """INSERT INTO ck_row
                   SELECT s.ini_id, s.phase_key, d.dpath, d.g_id, d.g_level, s.kind,
                          s.claimed, s.benefit
                   FROM ck_state s JOIN ck_dhome h ON h.unit_id = s.unit_then
                   JOIN ck_dtree d ON d.unit_id = h.home_id"""
            )
        self.sql.run(
            """INSERT INTO ck_arow SELECT a.member_id, r.phase_key, r.path
               FROM ck_auth a JOIN ck_row r ON r.ini_id = a.ini_id"""
        )
        self.sql.run("CREATE INDEX ck_row_path ON ck_row (path)")
        self.sql.run("CREATE INDEX ck_arow_path ON ck_arow (path, member_id)")

    # -- figures per unit ----------------------------------------------------------------

    def _quotas(self, campaign: Campaign, phase: Phase | None) -> None:
        """ck_quota: each unit's assigned quota for the campaign (a phase's own row; for the
        whole campaign the whole-campaign row, else the sum of its phases' rows)."""
        quota = _t(Quota)
        self.sql.temp("ck_quota", "unit_id INTEGER PRIMARY KEY, quota BIGINT")
        if phase is not None:
            self.sql.run(
                f"""INSERT INTO ck_quota SELECT unit_id, assigned FROM {quota}
                    WHERE campaign_id = %s AND phase_id = %s AND assigned IS NOT NULL""",  # noqa: S608
                [campaign.pk, phase.pk],
            )
            return
        self.sql.run(
            f"""INSERT INTO ck_quota
                SELECT unit_id, COALESCE(
                    MAX(CASE WHEN phase_id IS NULL THEN assigned END),
                    SUM(CASE WHEN phase_id IS NOT NULL THEN assigned END))
                FROM {quota} WHERE campaign_id = %s GROUP BY unit_id""",  # noqa: S608
            [campaign.pk],
        )

    def _figures(self, phase: Phase | None, tree: str) -> None:
        """ck_fig: the figures of every unit of the tree (active units on the current tree,
        every unit on the dated one), aggregated along the path per batch of units, then
        ranked with window functions."""
        unit = _t(Unit)
        self.sql.temp(
            "ck_fig",
            "unit_id INTEGER PRIMARY KEY, parent_id INTEGER, lvl INTEGER, "
            + ", ".join(f"{c} BIGINT" for c in FIG_COLUMNS)
            + ", qp10 BIGINT",
        )
        only_phase = "AND r.phase_key = %s" if phase is not None else ""
        only_phase_a = "AND a.phase_key = %s" if phase is not None else ""
        pargs = [phase.pk] if phase is not None else []
        if tree == CURRENT:
            source = (
                f"(SELECT id AS unit_id, parent_id, depth AS lvl, path FROM {unit} "  # noqa: S608
                "WHERE status = 'active')"
            )
            batches = self._unit_batches("status = 'active'")
        else:
            source = "(SELECT unit_id, parent_id, lvl, dpath AS path FROM ck_dtree)"
            batches = self._dated_batches()
        for lo, hi in batches:
            self.sql.run(
                f"""INSERT INTO ck_fig (unit_id, parent_id, lvl, {", ".join(FIG_COLUMNS[:8])})
                    SELECT t.unit_id, t.parent_id, t.lvl,
                        COUNT(r.ini_id),
                        COALESCE(SUM(CASE WHEN r.kind = 'V' THEN 1 ELSE 0 END), 0),
                        COALESCE(SUM(CASE WHEN r.kind = 'P' THEN 1 ELSE 0 END), 0),
                        COALESCE(SUM(CASE WHEN r.kind = 'I' THEN 1 ELSE 0 END), 0),
                        COALESCE(SUM(r.claimed), 0),
                        COALESCE(SUM(CASE WHEN r.kind = 'V' THEN r.benefit ELSE 0 END), 0),
                        (SELECT COUNT(DISTINCT a.member_id) FROM ck_arow a
                         WHERE a.path >= t.path AND a.path < t.path || '~' {only_phase_a}),
                        COUNT(DISTINCT CASE WHEN r.g_level >= t.lvl THEN r.g_id END)
                    FROM {source} t
                    LEFT JOIN ck_row r ON r.path >= t.path AND r.path < t.path || '~' {only_phase}
                    WHERE t.path >= %s AND t.path <= %s
                    GROUP BY t.unit_id, t.parent_id, t.lvl, t.path""",  # noqa: S608
                [*pargs, *pargs, lo, hi],
            )
        self.sql.run(
            """UPDATE ck_fig SET quota = (SELECT q.quota FROM ck_quota q
                                           WHERE q.unit_id = ck_fig.unit_id)"""
        )
        self.sql.run(
            "UPDATE ck_fig SET qp10 = CASE WHEN quota > 0 THEN "
            "(2000 * initiatives_valid + quota) / (2 * quota) END"
        )
        self.sql.run("CREATE INDEX ck_fig_parent ON ck_fig (parent_id)")

    def _dated_batches(self) -> Iterator[tuple]:
        last = None
        while True:
            rows = self.sql.rows(
                "SELECT dpath FROM ck_dtree"  # noqa: S608
                + (" WHERE dpath > %s" if last is not None else "")
                + f" ORDER BY dpath LIMIT {BATCH}",
                [last] if last is not None else [],
            )
            if not rows:
                return
            yield rows[0][0], rows[-1][0]
            last = rows[-1][0]

    def _ranked(self, where: str, params: Sequence[Any], tree: str) -> dict[int, dict[str, Any]]:
        """The recounted figures and ranks of the units `where` selects (siblings ranks
        among units with the same parent; level ranks among all units at the same level on
        the current tree). Ranks come from window functions over the whole table; only the
        selected rows reach Python."""
        ranks = []
        for name, col in (
            ("initiatives_valid", "initiatives_valid"),
            ("participating_members", "participating_members"),
            ("benefit_valid_vnd", "benefit_valid_vnd"),
            ("quota_percent", "qp10"),
        ):
            ranks.append(
                f"CASE WHEN {col} IS NULL THEN NULL ELSE RANK() OVER "
                f"(PARTITION BY parent_id, {col} IS NULL ORDER BY {col} DESC) END AS s_{name}"
            )
            if tree == CURRENT:
                ranks.append(
                    f"CASE WHEN {col} IS NULL THEN NULL ELSE RANK() OVER "
                    f"(PARTITION BY lvl, {col} IS NULL ORDER BY {col} DESC) END AS l_{name}"
                )
        cols = ["unit_id", *FIG_COLUMNS, "qp10"]
        rows = self.sql.rows(
            f"""SELECT * FROM (SELECT {", ".join(cols)}, {", ".join(ranks)} FROM ck_fig) f
                WHERE {where}""",  # noqa: S608
            params,
        )
        names = [*cols, *(r.rsplit(" AS ", 1)[1] for r in ranks)]
        out = {}
        for row in rows:
            values = dict(zip(names, row, strict=True))
            values["quota_percent"] = (
                Decimal(values["qp10"]) / 10 if values["qp10"] is not None else None
            )
            out[values["unit_id"]] = values
        return out

    # -- one campaign --------------------------------------------------------------------

    def _campaign(self, campaign: Campaign) -> Iterator[Difference]:
        from sangkien.stats import figures as served

        phases: list[Phase | None] = [None, *campaign.phases.order_by("number")]
        today = timezone.localdate()
        days = sorted({min(d, today) for d in self.dates(campaign)})
        for day in days:
            live = day >= today
            self.progress(f"{campaign.code} as of {day.isoformat()}")
            self._states(campaign, day, live)
            for tree in self.trees:
                if tree == DATED:
                    self._dated_tree_tables(day)
                self._rows(tree)
                for phase in phases:
                    self._quotas(campaign, phase)
                    self._figures(phase, tree)
                    yield from self._compare_reports(served, campaign, phase, day, tree)
                    if tree == CURRENT and phase is None and live:
                        yield from self._plans(served, campaign)
                        yield from self._queues(campaign)

    def _parents(self, tree: str) -> list[int]:
        """The units whose reports are read: every unit with a child on the tree (so every
        unit is compared as someone's child), and the root."""
        if tree == CURRENT:
            unit = _t(Unit)
            rows = self.sql.rows(
                f"""SELECT p.id FROM {unit} p WHERE p.status = 'active' AND (p.parent_id IS NULL
                    OR EXISTS (SELECT 1 FROM {unit} c WHERE c.parent_id = p.id
                               AND c.status = 'active'))
                    ORDER BY p.path"""  # noqa: S608
            )
        else:
            rows = self.sql.rows(
                """SELECT p.unit_id FROM ck_dtree p WHERE p.parent_id IS NULL
                   OR EXISTS (SELECT 1 FROM ck_dtree c WHERE c.parent_id = p.unit_id)
                   ORDER BY p.dpath"""
            )
        ids = [r[0] for r in rows]
        if tree == DATED and self.dated_parents is not None and len(ids) > self.dated_parents:
            # A deterministic sample: the first ones in tree order (the root and the
            # highest units), then evenly spread over the rest.
            head = ids[: self.dated_parents // 2]
            rest = ids[len(head) :]
            step = max(1, len(rest) // max(1, self.dated_parents - len(head)))
            ids = head + rest[::step][: self.dated_parents - len(head)]
        return ids

    def _compare_reports(
        self, served: Any, campaign: Campaign, phase: Phase | None, day: dt.date, tree: str
    ) -> Iterator[Difference]:
        number = phase.number if phase else None
        for parent_id in self._parents(tree):
            parent = Unit.objects.get(pk=parent_id)
            report = served.report(parent, campaign, phase=phase, as_of=day, tree=tree)
            shown = list(report.children)
            if parent.parent_id is None:
                shown.append(report.unit)
            mine = self._ranked(
                "unit_id IN (SELECT unit_id FROM ck_fig WHERE parent_id = %s) OR unit_id = %s",
                [parent_id, parent_id],
                tree,
            )
            seen = set()
            for f in shown:
                seen.add(f.unit.pk)
                counted = mine.get(f.unit.pk)
                if counted is None:
                    yield Difference(
                        f.unit.code, campaign.code, number, "unit", day, tree, "shown", "absent"
                    )
                    continue
                yield from self._compare_one(f, counted, campaign, number, day, tree)
            for pk in mine:
                if pk not in seen and pk != parent_id:
                    yield Difference(
                        self.code(pk), campaign.code, number, "unit", day, tree, "absent", "present"
                    )

    def _compare_one(
        self, f: Any, counted: dict[str, Any], campaign: Campaign, number: int | None,
        day: dt.date, tree: str,
    ) -> Iterator[Difference]:  # fmt: skip
        code = f.unit.code
        for name in FIG_COLUMNS:
            self.compared += 1
            a, b = getattr(f, name), counted[name]
            if name == "quota_percent":
                a = Decimal(a) if a is not None else None
            elif b is not None:
                b = int(b)
            if a != b:
                yield Difference(code, campaign.code, number, name, day, tree, a, b)
        scopes = [("siblings", "s")] + ([("level", "l")] if tree == CURRENT else [])
        for scope, prefix in scopes:
            got = (f.ranks or {}).get(scope) or {}
            for measure in MEASURES:
                self.compared += 1
                a, b = got.get(measure), counted[f"{prefix}_{measure}"]
                if a != b:
                    yield Difference(
                        code, campaign.code, number, f"rank.{scope}.{measure}", day, tree, a, b
                    )

    # -- plans and queues ----------------------------------------------------------------

    def _plans(self, served: Any, campaign: Campaign) -> Iterator[Difference]:
        """Plan coverage of every active unit: active grassroots unions of its subtree (it
        included) with a plan for the campaign, out of all of them; a unit above the
        campaign's owner answers with the owner's, a unit outside it with none."""
        unit, plan = _t(Unit), _t(Plan)
        owner = campaign.owner
        count_sql = f"""SELECT
            (SELECT COUNT(*) FROM {unit} g WHERE g.kind = 'grassroots' AND g.status = 'active'
               AND g.path >= %s AND g.path < %s || '~'
               AND EXISTS (SELECT 1 FROM {plan} p WHERE p.unit_id = g.id AND p.campaign_id = %s)),
            (SELECT COUNT(*) FROM {unit} g WHERE g.kind = 'grassroots' AND g.status = 'active'
               AND g.path >= %s AND g.path < %s || '~')"""  # noqa: S608
        for parent_id in self._parents(CURRENT):
            parent = Unit.objects.get(pk=parent_id)
            report = served.report(parent, campaign)
            shown = [*report.children] + ([report.unit] if parent.parent_id is None else [])
            for f in shown:
                u = f.unit
                if u.path.startswith(owner.path):
                    at = u.path
                elif owner.path.startswith(u.path):
                    at = owner.path
                else:
                    at = None
                if at is None:
                    with_plan, active = 0, 0
                else:
                    with_plan, active = self.sql.rows(count_sql, [at, at, campaign.pk, at, at])[0]
                for name, a, b in (
                    ("grassroots_with_plan", f.grassroots_with_plan, with_plan),
                    ("grassroots_active", f.grassroots_active, active),
                    ("plan_percent", f.plan_percent, tenths(with_plan, active)),
                ):
                    self.compared += 1
                    if a != b:
                        yield Difference(
                            u.code, campaign.code, None, name, timezone.localdate(), CURRENT, a, b
                        )

    def _queues(self, campaign: Campaign) -> Iterator[Difference]:
        """The review-queue counts per status of every active unit (initiatives of the
        campaign submitted at least once, under the unit's subtree), and the open work of
        the queue (under review or returned) against the pending figure of the unit."""
        from . import queue

        unit, ini = _t(Unit), _t(Initiative)
        day = timezone.localdate()
        self.sql.temp("ck_qcount", f"path {_text_type()}, status VARCHAR(16), n BIGINT")
        self.sql.run(
            f"""INSERT INTO ck_qcount SELECT iu.path, i.status, COUNT(*) FROM {ini} i
                JOIN {unit} iu ON iu.id = i.unit_id
                WHERE i.campaign_id = %s AND i.submitted_at IS NOT NULL
                GROUP BY iu.path, i.status""",  # noqa: S608
            [campaign.pk],
        )
        self.sql.run("CREATE INDEX ck_qcount_path ON ck_qcount (path)")
        for lo, hi in self._unit_batches("status = 'active'"):
            counted: dict[int, dict[str, int]] = {}
            for pk, status, n in self.sql.rows(
                f"""SELECT t.id, c.status, SUM(c.n) FROM {unit} t
                    JOIN ck_qcount c ON c.path >= t.path AND c.path < t.path || '~'
                    WHERE t.status = 'active' AND t.path >= %s AND t.path <= %s
                    GROUP BY t.id, c.status""",  # noqa: S608
                [lo, hi],
            ):
                counted.setdefault(pk, {})[status] = int(n)
            pending = dict(
                self.sql.rows(
                    f"""SELECT f.unit_id, f.initiatives_pending FROM ck_fig f
                        JOIN {unit} t ON t.id = f.unit_id
                        WHERE t.path >= %s AND t.path <= %s""",  # noqa: S608
                    [lo, hi],
                )
            )
            for u in Unit.objects.filter(path__gte=lo, path__lte=hi, status="active").order_by(
                "path"
            ):
                served = queue.counts([u.path], campaign=campaign)
                mine = counted.get(u.pk, {})
                for status in QUEUE_STATUSES:
                    self.compared += 1
                    a, b = served.get(status, 0), mine.get(status, 0)
                    if a != b:
                        yield Difference(
                            u.code, campaign.code, None, f"queue.{status}", day, CURRENT, a, b
                        )
                open_work = mine.get("submitted", 0) + mine.get("returned", 0)
                self.compared += 1
                if open_work != pending.get(u.pk, 0):
                    yield Difference(
                        u.code, campaign.code, None, "queue.open_vs_pending", day, CURRENT,
                        open_work, pending.get(u.pk, 0),
                    )  # fmt: skip


def sample_dates(campaign: Campaign) -> list[dt.date]:
    """The dates checked for a campaign: its start, each phase's end, its end, the middle
    of its first 30 days, and today (dates after today are read as today)."""
    days = {campaign.starts_on, campaign.starts_on + dt.timedelta(days=15), campaign.ends_on}
    days.update(campaign.phases.values_list("ends_on", flat=True))
    days.add(timezone.localdate())
    return sorted(days)


def check(**kwargs: Any) -> list[Difference]:
    """Every difference (a convenience for tests)."""
    return list(Checker(**kwargs).run())
