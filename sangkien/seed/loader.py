"""Writing a plan to the database: units and their versions, then members and their
memberships streamed in batches, then the demo users.

Ids are allocated here (after the highest id in each table) so paths and foreign keys are
known before anything is written; PostgreSQL's sequences are moved past them afterwards.
Members go in with COPY on PostgreSQL and with executemany elsewhere, one transaction per
batch; at no time are more than one batch of members in memory. On PostgreSQL the member
and membership tables are loaded without their secondary indexes and constraints, which are
rebuilt once at the end (also when the load fails half-way).
"""

from __future__ import annotations

import sys
import time
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
from sangkien.core.models import AuditEntry
from sangkien.orgs.models import Member, Membership, Unit, UnitEvent, UnitStatus, UnitVersion

from . import demo
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
    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def wipe() -> None:
    """Delete every unit, member, membership, reorganisation, role grant, the demo users
    and the audit log. Other user accounts stay (without roles or member records)."""
    with transaction.atomic():
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


def _insert(model: type[models.Model], columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    cols = ", ".join(
        connection.ops.quote_name(model._meta.get_field(c.removesuffix("_id")).column)
        if c != "id"
        else connection.ops.quote_name(model._meta.pk.column)
        for c in columns
    )
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
def _indexes_deferred(models_: list[type[models.Model]]) -> Iterator[None]:
    """On PostgreSQL, load without secondary indexes and constraints, then build them once:
    far faster than maintaining them row by row. They are rebuilt even if the load fails."""
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


def _write_members(plan: Plan, progress: Progress, batch_size: int) -> int:
    total = plan.members
    progress.begin("members", total)
    member_id = _next_id(Member)
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
    return done


def _after_load() -> None:
    if connection.vendor == "postgresql":
        models_ = [Unit, UnitVersion, Member, Membership]
        with connection.cursor() as cur:
            for sql in connection.ops.sequence_reset_sql(no_style(), models_):
                cur.execute(sql)
            for model in models_:
                cur.execute(f"ANALYZE {_table(model)}")
    elif connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("PRAGMA optimize")


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
            )
        if not reset:
            raise SeedRefused(
                "The database already holds units. Use --once to keep them, or --reset to "
                "delete all units, members, role grants, the demo users and the audit log "
                "before seeding."
            )
        progress.begin("reset", 0)
        wipe()
        progress.end()
    plan = plan_units(SCALES[scale], seed, id_base=_next_id(Unit))
    _write_units(plan, progress)
    with _indexes_deferred([Member, Membership]):
        members = _write_members(plan, progress, batch_size)
        progress.begin("indexes and statistics", 0)
    _after_load()
    progress.end()
    progress.begin("demo users", len(demo.DEMO_LOGINS))
    users = demo.create_demo_users(plan)
    progress.update(len(users), force=True)
    progress.end()
    return SeedResult(
        scale=scale,
        seed=seed,
        units=len(plan.units),
        members=members,
        users=len(users),
        seconds=time.monotonic() - started,
    )
