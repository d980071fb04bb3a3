"""Writing a plan to the database: units and their versions, then members and their
memberships streamed in batches, then the demo users, the campaigns and their initiatives
(with authors and history) streamed in batches.

Ids are allocated here (after the highest id in each table) so paths and foreign keys are
known before anything is written; PostgreSQL's sequences are moved past them afterwards.
Members go in with COPY on PostgreSQL and with executemany elsewhere, one transaction per
batch; at no time are more than one batch of members in memory. On PostgreSQL the member
and membership tables are loaded without their secondary indexes and constraints, which are
rebuilt once at the end (also when the load fails half-way); so are the initiative, author
and history tables.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from array import array
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from typing import IO, Any

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from sangkien.accounts.models import RoleGrant, User
from sangkien.campaigns.models import ApplicationField, Campaign, Phase
from sangkien.campaigns.services import create_campaign
from sangkien.core.models import AuditEntry
from sangkien.initiatives.models import Attachment, Author, HistoryEntry, Initiative
from sangkien.orgs.models import Member, Membership, Unit, UnitEvent, UnitStatus, UnitVersion
from sangkien.plans import models as plan_models
from sangkien.quotas.models import Quota, QuotaChange
from sangkien.stats import recount
from sangkien.stats.models import Cluster, MemberSpan, OwnDay, Snapshot, TreeDay, TreeTotal
from sangkien.teams.models import ServedUnit, Team, TeamMember

from . import demo
from . import initiatives as ini
from .generator import SCALES, Plan, iter_members, plan_units

MEMBER_COLUMNS = [
    "id", "code", "full_name", "birth_date", "gender", "position", "phone", "email", "unit_id",
    "joined_on", "left_on", "name_folded", "sort_key", "created_at", "updated_at", "version",
]  # fmt: skip
MEMBERSHIP_COLUMNS = ["id", "member_id", "unit_id", "started_on", "ended_on", "reason"]
UNIT_BATCH = 5000


class SeedRefused(Exception):
    """The database already holds data and neither --once nor --reset was given."""


@dataclass
class SeedResult:
    scale: str
    seed: int
    units: int
    members: int
    users: int
    seconds: float
    skipped: bool = False
    initiatives: int = 0
    campaigns: int = 0


class Progress:
    """One status line rewritten in place (only when writing to a terminal)."""

    def __init__(self, stream: IO[str] | None = None, enabled: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.started = time.monotonic()
        self.stage = ""
        self.total = 0
        self.stage_started = self.started
        self.last = 0.0
        self.width = 0

    def begin(self, stage: str, total: int) -> None:
        self.stage, self.total = stage, total
        self.stage_started = time.monotonic()
        self.update(0, force=True)

    def update(self, done: int, *, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self.last < 0.25:
            return
        self.last = now
        rate = done / max(now - self.stage_started, 1e-6)
        elapsed = int(now - self.started)
        pct = f" {100 * done / self.total:5.1f} %" if self.total else ""
        clock = f"{elapsed // 60:02d}:{elapsed % 60:02d}"
        if self.total:
            line = f"{self.stage}: {done:,}/{self.total:,}{pct}  {rate:,.0f}/s  {clock}"
        else:
            line = f"{self.stage} …  {clock}"
        self.width = max(self.width, len(line))
        self.stream.write("\r" + line.ljust(self.width))
        self.stream.flush()

    def end(self) -> None:
        if self.enabled and self.width:
            self.stream.write("\n")
            self.stream.flush()
            self.width = 0


def is_seeded() -> bool:
    return Unit.objects.exists()


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _next_id(model: type[models.Model]) -> int:
    return (model._default_manager.aggregate(m=Max("pk"))["m"] or 0) + 1


def wipe() -> None:
    """Delete every initiative (with its authors, files and history), campaign, unit,
    member, membership, reorganisation, role grant, the demo users and the audit log. Other
    user accounts stay (without roles or member records)."""
    with transaction.atomic():
        with connection.cursor() as cur:
            stats = (
                TreeDay,
                TreeTotal,
                OwnDay,
                MemberSpan,
                Snapshot,
                Cluster.units.through,
                Cluster,
            )
            plans = (
                plan_models.PlanCount,
                plan_models.GrassrootsCount,
                plan_models.CoverageStamp,
                plan_models.Plan,
            )
            teams = (ServedUnit, TeamMember, Team)
            quotas = (QuotaChange, Quota)
            model: type[models.Model]
            for model in (
                *stats,
                *plans,
                *teams,
                *quotas,
                HistoryEntry,
                Attachment,
                Author,
                Initiative,
            ):
                cur.execute(f"DELETE FROM {_table(model)}")  # noqa: S608
        for model in (ApplicationField, Phase, Campaign):
            model.objects.all().delete()
        User.objects.filter(username__in=[d.username for d in demo.DEMO_LOGINS]).delete()
        RoleGrant.objects.all().delete()
        User.objects.exclude(member=None).update(member=None)
        through = UnitEvent.units.through
        with connection.cursor() as cur:
            for model in (through, UnitVersion, UnitEvent, Membership, Member):
                cur.execute(f"DELETE FROM {_table(model)}")  # noqa: S608
            cur.execute(
                f"UPDATE {_table(Unit)} SET parent_id = NULL, successor_id = NULL"  # noqa: S608
            )
            cur.execute(f"DELETE FROM {_table(Unit)}")  # noqa: S608
        AuditEntry.objects.all().delete()


def _write_units(plan: Plan, progress: Progress) -> None:
    progress.begin("units", len(plan.units))
    version_id = _next_id(UnitVersion)
    with transaction.atomic():
        for start in range(0, len(plan.units), UNIT_BATCH):
            chunk = plan.units[start : start + UNIT_BATCH]
            Unit.objects.bulk_create(
                [
                    Unit(
                        id=u.id,
                        code=u.code,
                        name=u.name,
                        short_name=u.short_name,
                        kind=u.kind,
                        parent_id=u.parent.id if u.parent else None,
                        path=u.path,
                        depth=u.depth,
                        status=UnitStatus.ACTIVE,
                        founded_on=u.founded_on,
                        name_folded=u.name_folded,
                        sort_key=u.sort_key,
                        members_total=u.total,
                    )
                    for u in chunk
                ]
            )
            UnitVersion.objects.bulk_create(
                [
                    UnitVersion(
                        id=version_id + start + i,
                        unit_id=u.id,
                        parent_id=u.parent.id if u.parent else None,
                        name=u.name,
                        short_name=u.short_name,
                        kind=u.kind,
                        valid_from=u.founded_on,
                    )
                    for i, u in enumerate(chunk)
                ]
            )
            progress.update(start + len(chunk))
    progress.update(len(plan.units), force=True)
    progress.end()


def _column(model: type[models.Model], name: str) -> str:
    """The database column of `name` (a field's name, or its attname for a foreign key)."""
    field = model._meta.pk if name == "id" else model._meta.get_field(name.removesuffix("_id"))
    if not isinstance(field, models.Field) or field.column is None:
        raise ValueError(f"{model.__name__} has no column for {name!r}")
    return field.column


def _insert(model: type[models.Model], columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    cols = ", ".join(connection.ops.quote_name(_column(model, c)) for c in columns)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.cursor.copy(f"COPY {_table(model)} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cur.executemany(
                f"INSERT INTO {_table(model)} ({cols}) VALUES ({marks})",  # noqa: S608
                rows,
            )


def _batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def _secondary_indexes(model: type[models.Model]) -> list[tuple[str, str, str]]:
    """(kind, name, definition) of a PostgreSQL table's indexes and unique and foreign-key
    constraints, the primary key excepted."""
    table = model._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            "SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('u', 'f')",
            [table],
        )
        constraints = cur.fetchall()
        cur.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename = %s",
            [table],
        )
        indexes = cur.fetchall()
        cur.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p'",
            [table],
        )
        backed = {name for (name,) in cur.fetchall()} | {c[0] for c in constraints}
    out = [("constraint", name, definition) for name, definition, _kind in constraints]
    out += [("index", name, definition) for name, definition in indexes if name not in backed]
    return out


@contextmanager
def _sqlite_indexes_deferred(models_: list[type[models.Model]]) -> Iterator[None]:
    """SQLite: drop the tables' declared indexes (those of unique constraints stay) and
    create them again from their own SQL afterwards."""
    saved: list[tuple[str, str]] = []
    with connection.cursor() as cur:
        for model in models_:
            cur.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                "AND sql IS NOT NULL",
                [model._meta.db_table],
            )
            saved += cur.fetchall()
    with transaction.atomic(), connection.cursor() as cur:
        for name, _sql in saved:
            cur.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    try:
        yield
    finally:
        with transaction.atomic(), connection.cursor() as cur:
            for _name, sql in saved:
                cur.execute(sql)


@contextmanager
def _indexes_deferred(models_: list[type[models.Model]]) -> Iterator[None]:
    """Load without secondary indexes (and, on PostgreSQL, constraints), then build them
    once: far faster than maintaining them row by row. They are rebuilt even if the load
    fails."""
    if connection.vendor == "sqlite":
        with _sqlite_indexes_deferred(models_):
            yield
        return
    if connection.vendor != "postgresql":
        yield
        return
    saved = [(m, _secondary_indexes(m)) for m in models_]
    with transaction.atomic(), connection.cursor() as cur:
        # Pending deferred checks (inside an outer transaction, as in tests) block ALTER.
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for model, items in reversed(saved):
            for kind, name, _definition in items:
                quoted = connection.ops.quote_name(name)
                if kind == "constraint":
                    cur.execute(f"ALTER TABLE {_table(model)} DROP CONSTRAINT {quoted}")
                else:
                    cur.execute(f"DROP INDEX {quoted}")
        cur.execute("SET CONSTRAINTS ALL DEFERRED")
    try:
        yield
    finally:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cur.execute("SET LOCAL maintenance_work_mem = '512MB'")
            for _model, items in saved:
                for kind, _name, definition in items:
                    if kind == "index":
                        cur.execute(definition)
            for model, items in saved:
                for kind, name, definition in items:
                    if kind == "constraint":
                        cur.execute(
                            f"ALTER TABLE {_table(model)} ADD CONSTRAINT "
                            f"{connection.ops.quote_name(name)} {definition}"
                        )
            cur.execute("SET CONSTRAINTS ALL DEFERRED")


def _write_members(plan: Plan, progress: Progress, batch_size: int) -> tuple[int, int]:
    """Write the plan's members; their number and the first one's id (the ids follow the
    plan's order of units)."""
    total = plan.members
    progress.begin("members", total)
    member_id = first_id = _next_id(Member)
    membership_id = _next_id(Membership)
    first_number = Member.objects.count() + 1
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    done = 0
    for chunk in _batched(iter_members(plan, first_number), batch_size):
        members = []
        memberships = []
        for m in chunk:
            joined = m.joined_on.isoformat()
            members.append(
                (member_id, m.code, m.full_name, m.birth_date.isoformat(), m.gender,
                 m.position, m.phone, m.email, m.unit_id, joined, None, m.name_folded,
                 m.sort_key, now, now, 1)
            )  # fmt: skip
            memberships.append((membership_id, member_id, m.unit_id, joined, None, ""))
            member_id += 1
            membership_id += 1
        with transaction.atomic():
            _insert(Member, MEMBER_COLUMNS, members)
            _insert(Membership, MEMBERSHIP_COLUMNS, memberships)
        done += len(chunk)
        progress.update(done)
    progress.update(done, force=True)
    progress.end()
    return done, first_id


def _order_by_id(model: type[models.Model]) -> None:
    """On PostgreSQL, lay the table out in id order. Rows are written unit by unit, but in
    use they arrive in order of creation, which is id order; lists that walk the ids (newest
    first) read the table in that order. SQLite tables are kept in id order already."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        cur.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p'",
            [model._meta.db_table],
        )
        (pk,) = cur.fetchone()
        cur.execute("SET maintenance_work_mem = '512MB'")
        cur.execute(f"CLUSTER {_table(model)} USING {connection.ops.quote_name(pk)}")
        cur.execute("RESET maintenance_work_mem")


def _after_load(models_: list[type[models.Model]]) -> None:
    """Sequences past the loaded ids, and fresh planner statistics for the loaded tables
    (the plans of big lists depend on them). PostgreSQL also gets the vacuum autovacuum
    would run later, so index-only scans work from the start."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            for sql in connection.ops.sequence_reset_sql(no_style(), models_):
                cur.execute(sql)
            verb = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
            for model in models_:
                cur.execute(f"{verb} {_table(model)}")
        elif connection.vendor == "sqlite":
            for model in models_:
                cur.execute(f"ANALYZE {_table(model)}")
            cur.execute("PRAGMA optimize")


class _Formats:
    """Datetimes (seconds since the epoch, UTC) and dates (ordinals) as the database takes
    them in bulk: text in UTC, which both SQLite (as Django stores it) and PostgreSQL's COPY
    read. Formatted strings are cached per day."""

    def __init__(self) -> None:
        self.suffix = "+00" if connection.vendor == "postgresql" else ""
        self.days: dict[int, str] = {}

    def day(self, ordinal: int) -> str:
        text = self.days.get(ordinal)
        if text is None:
            text = self.days[ordinal] = dt.date.fromordinal(ordinal).isoformat()
        return text

    def stamp(self, ts: int) -> str:
        days, secs = divmod(ts, 86400)
        h, rest = divmod(secs, 3600)
        m, s = divmod(rest, 60)
        return f"{self.day(days + 719163)} {h:02d}:{m:02d}:{s:02d}{self.suffix}"


class _MemberWindow:
    """Members read back by id range, in the order they were written (unit by unit)."""

    def __init__(self, chunk: int = 100_000) -> None:
        self.chunk = chunk
        self.low = self.high = 0
        self.rows: list[ini.MemberInfo] = []

    def get(self, first: int, count: int) -> list[ini.MemberInfo]:
        if first < self.low or first + count > self.high:
            self.low = first
            self.high = first + max(count, self.chunk)
            with connection.cursor() as cur:
                cur.execute(
                    f"SELECT id, full_name, birth_date, position FROM {_table(Member)} "  # noqa: S608
                    "WHERE id >= %s AND id < %s ORDER BY id",
                    [self.low, self.high],
                )
                self.rows = [tuple(r) for r in cur.fetchall()]
        start = first - self.low
        rows = self.rows[start : start + count]
        if len(rows) != count or (rows and rows[0][0] != first):
            raise RuntimeError(f"members {first}…{first + count - 1} are not where expected")
        return rows


def _create_campaigns(plan: Plan) -> list[ini.CampaignIds | None]:
    """The national campaign (owned by the root) and the provincial one (owned by Thanh
    Hóa, when the scale has it), made through the campaign service."""
    root = Unit.objects.get(pk=plan.units[0].id)
    province = Unit.objects.filter(code=ini.PROVINCE_CODE, parent=root).first()
    out: list[ini.CampaignIds | None] = []
    for spec in ini.CAMPAIGNS:
        owner = root if spec.owner == "root" else province
        if owner is None:
            out.append(None)
            continue
        campaign = create_campaign(
            code=spec.code,
            name=spec.name,
            owner=owner,
            starts_on=spec.starts_on,
            ends_on=spec.ends_on,
            by=None,
            phases=[{"name": n, "starts_on": a, "ends_on": b} for n, a, b in spec.phases],
            fields=spec.fields,
            requires_recognition=spec.requires_recognition,
            description=spec.description,
        )
        phases = [
            (p.pk, ini.local_start(p.starts_on), ini.local_start(p.ends_on) + ini.DAY)
            for p in campaign.phases.order_by("number")
        ]
        fields = dict(campaign.fields.values_list("code", "id"))
        out.append(ini.CampaignIds(spec, campaign.pk, owner.path, phases, fields))
    return out


def _actors(plan: Plan, users: list[User]) -> ini.Actors:
    by_name = {u.username: u for u in users}
    places = demo.demo_units(plan)
    member = by_name.get("member")
    support = by_name.get("support")
    deciders = [
        (places["grassroots"].path, ["officer.cs"]),
        (places["upper"].path, ["officer.upper"]),
        (places["province"].path, ["officer", "reviewer"]),
    ]
    return ini.Actors(
        member_user=member.pk if member else None,
        member_id=member.member_id if member else None,
        member_unit=places["grassroots"].id,
        support_user=support.pk if support else None,
        support_path=places["upper"].path if support else "~",
        deciders=[
            (path, [by_name[n].pk for n in names if n in by_name])
            for path, names in deciders
            if any(n in by_name for n in names)
        ],
    )


def _write_initiatives(
    plan: Plan,
    total: int,
    campaigns: list[ini.CampaignIds | None],
    actors: ini.Actors,
    first_member: int,
    progress: Progress,
    batch_size: int,
) -> int:
    province = next((c for c in campaigns[1:] if c is not None), None)
    progress.begin("initiatives (dates)", 0)
    ip = ini.plan_initiatives(
        plan,
        total,
        plan.seed,
        first_id=_next_id(Initiative),
        province_path=province.owner_path if province else None,
        demo_unit=actors.member_unit,
    )
    if province is None:  # no provincial campaign at this scale: all go to the national one
        ip.keys = array("q", [k & ~1 for k in ip.keys])
    progress.end()
    formats = _Formats()
    rows = ini.UnitRows(
        seed=plan.seed, campaigns=campaigns, actors=actors, stamp=formats.stamp, day=formats.day
    )
    member_start: dict[int, int] = {}
    next_member = first_member
    for unit in plan.units:
        member_start[unit.id] = next_member
        next_member += unit.size
    window = _MemberWindow()
    author_id = _next_id(Author)
    history_id = _next_id(HistoryEntry)
    progress.begin("initiatives", ip.total)
    done = 0
    batch: tuple[list[tuple], list[tuple], list[tuple]] = ([], [], [])

    def flush() -> None:
        with transaction.atomic():
            _insert(Initiative, ini.INITIATIVE_COLUMNS, batch[0])
            _insert(Author, ini.AUTHOR_COLUMNS, batch[1])
            _insert(HistoryEntry, ini.HISTORY_COLUMNS, batch[2])
        for part in batch:
            part.clear()

    for unit, keys, ids in ini.iter_unit_batches(ip):
        members = window.get(member_start[unit.id], unit.size)
        a, b, c = rows.rows(unit, keys, ids, members, author_id, history_id)
        author_id += len(b)
        history_id += len(c)
        batch[0].extend(a)
        batch[1].extend(b)
        batch[2].extend(c)
        if len(batch[0]) >= batch_size:
            done += len(batch[0])
            flush()
            progress.update(done)
    done += len(batch[0])
    flush()
    progress.update(done, force=True)
    progress.end()
    return done


def seed(
    scale: str,
    *,
    seed: int = 1,
    once: bool = False,
    reset: bool = False,
    batch_size: int = 20_000,
    progress: Progress | None = None,
) -> SeedResult:
    """Fill the database with the synthetic data set `scale` (see generator.SCALES)."""
    started = time.monotonic()
    progress = progress or Progress(enabled=False)
    if is_seeded():
        if once:
            root = Unit.objects.filter(parent=None).order_by("id").first()
            return SeedResult(
                scale=scale,
                seed=seed,
                units=Unit.objects.count(),
                members=root.members_total if root else 0,
                users=0,
                seconds=time.monotonic() - started,
                skipped=True,
                initiatives=Initiative.objects.count(),
            )
        if not reset:
            raise SeedRefused(
                "The database already holds units. Use --once to keep them, or --reset to "
                "delete all initiatives, campaigns, units, members, role grants, the demo "
                "users and the audit log before seeding."
            )
        progress.begin("reset", 0)
        wipe()
        progress.end()
    plan = plan_units(SCALES[scale], seed, id_base=_next_id(Unit))
    _write_units(plan, progress)
    with _indexes_deferred([Member, Membership]):
        members, first_member = _write_members(plan, progress, batch_size)
        progress.begin("indexes and statistics", 0)
    _after_load([Unit, UnitVersion, Member, Membership])
    progress.end()
    progress.begin("demo users", len(demo.DEMO_LOGINS))
    users = demo.create_demo_users(plan)
    progress.update(len(users), force=True)
    progress.end()
    campaigns = _create_campaigns(plan)
    with _indexes_deferred([Initiative, Author, HistoryEntry]):
        initiatives = _write_initiatives(
            plan,
            SCALES[scale].initiatives,
            campaigns,
            _actors(plan, users),
            first_member,
            progress,
            batch_size,
        )
        progress.begin("initiatives in order of creation", 0)
        _order_by_id(Initiative)
        progress.begin("indexes and statistics", 0)
    _after_load([Initiative, Author, HistoryEntry, Campaign, Phase, ApplicationField])
    progress.end()
    # The figures, set-based from the loaded rows (the workflow keeps them from now on).
    live = list(Campaign.objects.filter(pk__in=[c.id for c in campaigns if c is not None]))
    progress.begin("statistics", len(live))
    recount.rebuild(live, progress=lambda c: progress.update(live.index(c) + 1, force=True))
    _after_load([TreeDay, TreeTotal, OwnDay, MemberSpan])
    progress.end()
    return SeedResult(
        scale=scale,
        seed=seed,
        units=len(plan.units),
        members=members,
        users=len(users),
        seconds=time.monotonic() - started,
        initiatives=initiatives,
        campaigns=sum(c is not None for c in campaigns),
    )
