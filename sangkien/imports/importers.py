"""Spreadsheet imports of units, members and initiatives (decision record 0017).

`run_import` reads a table (`reading.open_table`), checks every row, and then writes all of
the accepted rows, or nothing:
- a **dry run** checks and writes nothing; the outcomes are what the real run does (units,
  which go through the unit services one by one, are written and rolled back);
- **all or nothing** (the default) writes nothing when any row is rejected;
- **accept valid** writes the accepted rows and leaves the rejected ones out.

Members and initiatives never hold the database while they are checked (decision record
0019): every row is read, matched and checked with no write lock held, and what is to be
written is kept as batches of about 2,000 rows (`models.ImportBatch`, each kept in a
transaction of a few milliseconds). Only once the whole file is checked, and the import is
to be written, are the batches written, each in one short transaction that also records
that it is written; an import cut short (a killed worker, a database busy for too long) is
finished by running it again with the same job (`job=`): written batches are left alone,
the others are written, and nothing is written twice. Units (a province has a few thousand)
are still created through the unit services in one transaction.

Every row gets one outcome: imported, updated, skipped (already there as the file says, or a
total row, a signature block, a numbering row) or rejected, with the reason naming the
column as the file heads it. Rejected rows go back to the user as an .xlsx with their
original cells and a reason column (`errors_xlsx`). Importing the same file again finds
every row already there and creates nothing.

Members and initiatives are written in batches (bulk inserts, the statistics moved once per
batch by `stats.engine.add_new`), so that 100,000 rows take seconds, not hours; units go
through `orgs.services` row by row (a province has a few thousand)."""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import hashlib
import logging
import re
import secrets
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

import xlsxwriter
from django.core.exceptions import ValidationError
from django.db import reset_queries, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from sangkien import values
from sangkien.campaigns.models import Campaign
from sangkien.core import locks
from sangkien.core.cells import safe_cell_text
from sangkien.core.models import AuditEntry
from sangkien.formats import short_date
from sangkien.initiatives import rules
from sangkien.initiatives.models import (
    Action,
    ApplicationField,
    Author,
    HistoryEntry,
    Initiative,
    Status,
)
from sangkien.initiatives.rules import ENTRY_UNIT_KINDS, MAX_TEXT
from sangkien.orgs import services as orgs
from sangkien.orgs.models import Member, Membership, Unit, UnitKind, UnitStatus
from sangkien.stats import engine as stats_engine
from sangkien.text import clean_line, fold, person_sort_key

from . import bulk
from .columns import COLUMNS, column
from .matching import MemberMatcher, UnitMatcher
from .models import ImportBatch, ImportRun, RunState
from .reading import Row, Skipped, SpreadsheetError, Table, open_table

KINDS = ("units", "members", "initiatives")
IMPORTED, UPDATED, SKIPPED, REJECTED = "imported", "updated", "skipped", "rejected"
# Rows per batch: checked against the database together, kept together, written in one
# short transaction (with the figures moved once for every unit the batch touches).
BATCH = 2_000
INITIATIVE_BATCH = BATCH

logger = logging.getLogger("sangkien.imports")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class ImportRefused(Exception):
    """The import as a whole cannot run (a closed campaign, a kind the user may not import);
    nothing was read or written."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _Rollback(Exception):
    """Leaves the import's transaction without writing anything."""


@dataclass(slots=True)
class Outcome:
    number: int  # the sheet's own row number
    status: str
    message: str = ""
    label: str = ""  # what the row is about: a title, a name
    ref: str = ""  # the code or reference of what the row made or found
    cells: list[Any] | None = None  # kept for rejected rows (the errors file)


@dataclass
class Summary:
    kind: str
    filename: str
    sheet: str | None = None
    headers: list[str] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # of the file as a whole (hidden columns)
    dry_run: bool = False
    accept_valid: bool = False
    applied: bool = False
    encoding: str | None = None
    # The write transactions of the run: how many, their total and the longest (seconds),
    # what other writers may have waited for.
    writes: int = 0
    write_seconds: float = 0.0
    longest_write: float = 0.0

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    def as_json(self) -> dict[str, Any]:
        """The one-line summary of DESIGN.md: the rows and what each did (or, when nothing
        was written, would do), and whether it was written."""
        return {
            "rows": len(self.outcomes),
            "imported": self.count(IMPORTED),
            "updated": self.count(UPDATED),
            "rejected": self.count(REJECTED),
            "skipped": self.count(SKIPPED),
            "applied": self.applied,
        }

    @property
    def rejected(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == REJECTED]


Progress = Callable[[int, int, str], None]


# -- the run -------------------------------------------------------------------------------


def run_import(
    kind: str,
    source: Any,
    filename: str,
    *,
    user: Any = None,
    scope: list[str] | None = None,
    units: list[int] | None = None,
    campaign: Campaign | None = None,
    dry_run: bool = False,
    accept_valid: bool = False,
    progress: Progress | None = None,
    job: Any = None,
) -> Summary:
    """Import `source` (a path, bytes or a binary file) named `filename`. `scope` is the list
    of unit paths the user may import into (None: everywhere, for the command line) and
    `units` the ids of single units besides (those a support team serves, not their subtrees).
    `job`: the background job running it; when an earlier run of the same job was cut short
    while writing, this run finishes it (the file is not checked again).
    Raises SpreadsheetError or ImportRefused when the file as a whole cannot be used."""
    if kind not in KINDS:
        raise ImportRefused(_("Choose what to import: units, members or initiatives."))
    if kind == "initiatives" and campaign is None:
        raise ImportRefused(_("Choose the campaign the initiatives are entered for."))
    if job is not None and not dry_run and kind != "units":
        earlier = ImportRun.objects.filter(job=job).first()
        if earlier is not None and earlier.state == RunState.APPLYING:
            return _resume(earlier, progress)
        if earlier is not None:  # cut short while checking: nothing was written
            locks.retry_on_lock(earlier.delete, what="import")
    table = open_table(source, filename, kind)
    summary = Summary(
        kind=kind,
        filename=filename,
        sheet=table.sheet,
        headers=list(table.headers),
        notes=list(table.notes),
        dry_run=dry_run,
        accept_valid=accept_valid,
        encoding=table.encoding,
    )
    importer_class = {"units": UnitImporter, "members": MemberImporter}.get(
        kind, InitiativeImporter
    )
    importer = importer_class(
        table, user=user, scope=scope, units=units, campaign=campaign, summary=summary
    )
    if kind == "units":
        _run_units(importer, summary, source, progress)
        return summary
    return _run_staged(importer, summary, source, progress, job)


def _run_units(importer: Importer, summary: Summary, source: Any, progress: Any) -> None:
    """Units: through the unit services, in one transaction (rolled back for a dry run). A
    database busy meanwhile fails the whole transaction, which is then run again whole by
    whoever called (the job runner does, see jobs.services)."""

    def work() -> None:
        try:
            with transaction.atomic():
                importer.run(progress)
                rejected = summary.count(REJECTED)
                if summary.dry_run or (rejected and not summary.accept_valid):
                    raise _Rollback
                summary.applied = True
                if any(o.status in (IMPORTED, UPDATED) for o in summary.outcomes):
                    ImportRecord(
                        summary, importer.user, importer.campaign, source_digest(source)
                    ).save()
        except _Rollback:
            summary.applied = False

    started = time.perf_counter()
    try:
        work()
    finally:
        took = time.perf_counter() - started
        summary.writes, summary.write_seconds, summary.longest_write = 1, took, took


def _run_staged(
    importer: Importer, summary: Summary, source: Any, progress: Any, job: Any
) -> Summary:
    """Members and initiatives: check and keep the batches, then write them."""
    if not summary.dry_run:
        importer.staging = locks.retry_on_lock(
            lambda: ImportRun.objects.create(
                kind=summary.kind,
                filename=summary.filename[:255],
                digest=source_digest(source),
                user=importer.user,
                campaign=importer.campaign,
                job=job,
                started_at=importer.now,
            ),
            what="import",
        )
    try:
        importer.run(progress)
        importer.stage([])
    except BaseException:
        importer.drop_staging()
        raise
    if summary.dry_run:
        return summary
    if summary.count(REJECTED) and not summary.accept_valid:
        importer.drop_staging()
        return summary
    importer.start_writing()
    importer.apply_all(progress)
    importer.finish()
    summary.applied = True
    return summary


def _resume(run: ImportRun, progress: Progress | None) -> Summary:
    """Finish writing an import that was cut short: the batches not yet written."""
    options = run.options or {}
    table = Table(
        sheet=options.get("sheet"),
        header_rows=(),
        headers=list(options.get("headers") or []),
        columns=dict(options.get("columns") or {}),
        extra=[],
        multipliers=dict(options.get("multipliers") or {}),
        encoding=options.get("encoding"),
    )
    summary = Summary(
        kind=run.kind,
        filename=run.filename,
        sheet=table.sheet,
        headers=list(table.headers),
        accept_valid=bool(options.get("accept_valid")),
        encoding=table.encoding,
    )
    importer_class = MemberImporter if run.kind == "members" else InitiativeImporter
    importer = importer_class(
        table,
        user=run.user,
        scope=options.get("scope"),
        units=options.get("units"),
        campaign=run.campaign,
        summary=summary,
    )
    importer.now = run.started_at
    importer.today = timezone.localdate(run.started_at)
    importer.phase_id = options.get("phase")
    importer.staging = run
    importer.load_outcomes()
    logger.info("import %s (%s): resuming the batches not yet written", run.pk, run.filename)
    importer.apply_all(progress)
    importer.finish()
    summary.applied = True
    return summary


def _cell_json(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, dt.date):
        return {"d": value.isoformat()}
    return str(value)


def _cell_value(value: Any) -> Any:
    if isinstance(value, dict):
        if "dt" in value:
            return dt.datetime.fromisoformat(value["dt"])
        if "d" in value:
            return dt.date.fromisoformat(value["d"])
    return value


def outcome_json(o: Outcome) -> list[Any]:
    cells = [_cell_json(c) for c in o.cells] if o.cells is not None else None
    return [o.number, o.status, o.message, o.label, o.ref, cells]


def outcome_of(data: list[Any]) -> Outcome:
    number, status, message, label, ref, cells = data
    if cells is not None:
        cells = [_cell_value(c) for c in cells]
    return Outcome(number, status, message, label=label, ref=ref, cells=cells)


def _day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def source_digest(source: Any) -> str:
    digest = hashlib.sha256()
    if isinstance(source, bytes | bytearray):
        digest.update(source)
    elif hasattr(source, "read"):
        position = source.tell() if hasattr(source, "tell") else None
        if position is not None:
            source.seek(0)
            for chunk in iter(lambda: source.read(1 << 20), b""):
                digest.update(chunk)
            source.seek(position)
    else:
        with open(source, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


class ImportRecord:
    """One audit entry per applied import: who, which file, what it did."""

    def __init__(self, summary: Summary, user: Any, campaign: Campaign | None, digest: str):
        self.summary, self.user, self.campaign, self.digest = summary, user, campaign, digest

    def save(self) -> None:
        actor = self.user if getattr(self.user, "is_authenticated", False) else None
        AuditEntry.objects.create(
            actor=actor,
            action=f"import.{self.summary.kind}",
            object_type="imports.file",
            object_id=self.digest[:64],
            after={
                **self.summary.as_json(),
                "file": self.summary.filename,
                "sheet": self.summary.sheet,
                "campaign": self.campaign.code if self.campaign else None,
            },
        )


# -- shared row handling ---------------------------------------------------------------------


class Problems:
    """The problems of one row, each naming its column as the file heads it."""

    def __init__(self, table: Table, kind: str) -> None:
        self.table = table
        self.kind = kind
        self.items: list[str] = []
        self.empty: set[str] = set()

    def missing(self, key: str, **params: Any) -> None:
        """A required column is empty: its message from the column definitions, once."""
        if key in self.empty:
            return
        self.empty.add(key)
        message = str(column(self.kind, key).empty)
        self.add(key, message % params if params else message)

    def add(self, key: str | None, message: str) -> None:
        if key is None:
            self.items.append(message)
            return
        index = self.table.columns.get(key)
        header = self.table.headers[index] if index is not None else _column_label(self.kind, key)
        self.items.append(
            _("Column “%(column)s”: %(problem)s") % {"column": header, "problem": message}
        )

    def __bool__(self) -> bool:
        return bool(self.items)

    def text(self) -> str:
        return "; ".join(self.items)


def _column_label(kind: str, key: str) -> str:
    for c in COLUMNS[kind]:
        if c.key == key:
            return str(c.label)
    return key


class Importer:
    kind = ""

    def __init__(
        self,
        table: Table,
        *,
        user: Any,
        scope: list[str] | None,
        campaign: Campaign | None,
        summary: Summary,
        units: list[int] | None = None,
    ) -> None:
        self.table = table
        self.units = set(units or ())
        self.user = user if getattr(user, "is_authenticated", False) else None
        self.scope = scope
        self.campaign = campaign
        self.summary = summary
        self.today = timezone.localdate()
        self.now = timezone.now()
        # A real import of members or initiatives keeps its batches here (None: a dry run).
        self.staging: ImportRun | None = None
        # The phase an import of initiatives files them under (None: the campaign's own).
        self.phase_id: int | None = None
        self.checked_upto = 0  # outcomes before this index are kept in a batch
        self.batches = 0
        self.slices: dict[int, int] = {}  # batch number -> index of its first outcome
        self.unit_note = ""  # what the matcher said of the last row's unit (`UnitMatch.note`)

    def problems(self) -> Problems:
        return Problems(self.table, self.kind)

    def require(self, row: Row, problems: Problems, **params: Any) -> None:
        """Every column the definitions mark required (`columns.COLUMNS`) that is empty in
        the row is a problem; `params` fill in the messages."""
        for c in COLUMNS[self.kind]:
            if c.required and self.raw(row, c.key) is None:
                problems.missing(c.key, **params)

    # cells ---------------------------------------------------------------------------------

    def raw(self, row: Row, key: str) -> Any:
        value = row.values.get(key)
        if isinstance(value, str) and not value.strip():
            return None
        return value

    def text(
        self, row: Row, key: str, problems: Problems, *, limit: int = 255, multiline: bool = False
    ) -> str:
        value = self.raw(row, key)
        if value is None:
            return ""
        try:
            text = values.text(value, multiline=multiline)
        except values.ValueProblem as exc:
            problems.add(key, str(exc))
            return ""
        if len(text) > limit:
            problems.add(key, _("keep it under %(n)s characters.") % {"n": limit})
        return text

    def date(
        self, row: Row, key: str, problems: Problems, *, month_ok: bool = True
    ) -> tuple[dt.date | None, str]:
        value = self.raw(row, key)
        if value is None:
            return None, ""
        try:
            found = values.date(value, month_ok=month_ok)
        except values.ValueProblem as exc:
            problems.add(key, str(exc))
            return None, ""
        return found if found is not None else (None, "")

    def rule(self, problems: Problems, key: str, rule: Callable[..., Any], *args: Any) -> Any:
        """`rule(*args)` (one of `initiatives.rules`, the rules the forms and the API apply),
        or None with its problem added to the row's, after the column."""
        try:
            return rule(*args)
        except rules.RuleProblem as exc:
            problems.add(key, exc.message)
            return None

    def in_scope(self, unit: Unit | Any) -> bool:
        if self.scope is None:
            return True
        return unit.pk in self.units or any(unit.path.startswith(p) for p in self.scope)

    def scoped_units(self) -> QuerySet[Unit]:
        units = Unit.objects.all()
        if self.scope is not None:
            from django.db.models import Q

            q = Q(pk__in=[])
            for path in self.scope:
                q |= Q(path__startswith=path)
            if self.units:
                q |= Q(pk__in=self.units)
            units = units.filter(q)
        return units

    # the run --------------------------------------------------------------------------------

    def rows(self, progress: Progress | None) -> Iterator[Row]:
        total = self.table.total or 0
        seen = 0
        for item in self.table.rows():
            seen += 1
            if seen % 1000 == 0:
                # With DEBUG on, Django keeps the last 9,000 statements; bulk inserts are
                # large, so an import would hold hundreds of MB of SQL text.
                reset_queries()
            if progress is not None and seen % 1000 == 0:
                progress(seen, max(total, seen), _("Checking row %(n)s") % {"n": seen})
            if isinstance(item, Skipped):
                self.summary.outcomes.append(
                    Outcome(item.number, SKIPPED, item.reason, label=_first_text(item.cells))
                )
                continue
            yield item

    def reject(self, row: Row, problems: Problems, label: str = "") -> None:
        self.summary.outcomes.append(
            Outcome(row.number, REJECTED, problems.text(), label=label, cells=list(row.cells))
        )

    def update(
        self, row: Row, label: str, ref: str, changes: dict[str, Any], apply: Callable[[], Any]
    ) -> None:
        """A row naming something already there: skipped when nothing differs, else changed
        through its service (in a savepoint), or rejected with the service's problems."""
        if not changes:
            self.summary.outcomes.append(
                Outcome(row.number, SKIPPED, _("already there"), label=label, ref=ref)
            )
            return
        try:
            with transaction.atomic():
                apply()
        except ValidationError as exc:
            problems = self.problems()
            found = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            for key, messages in found.items():
                problems.add(key if key in self.table.columns else None, " ".join(messages))
            self.reject(row, problems, label)
            return
        self.summary.outcomes.append(
            Outcome(
                row.number,
                UPDATED,
                _("changed: %(fields)s") % {"fields": ", ".join(sorted(changes))},
                label=label,
                ref=ref,
            )
        )

    def run(self, progress: Progress | None) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    # keeping and writing batches ---------------------------------------------------------------

    def timed(self, work: Callable[[], Any]) -> Any:
        """Run one write transaction, timed, tried again when the database is busy."""

        def attempt() -> Any:
            started = time.perf_counter()
            try:
                return work()
            finally:
                took = time.perf_counter() - started
                self.summary.writes += 1
                self.summary.write_seconds += took
                self.summary.longest_write = max(self.summary.longest_write, took)

        return locks.retry_on_lock(attempt, what=f"import of {self.kind}")

    def provisional(self, outcome: Outcome) -> int:
        """Add the outcome a row to be written will have; its place in the coming batch."""
        self.summary.outcomes.append(outcome)
        return len(self.summary.outcomes) - 1 - self.checked_upto

    def stage(self, items: list[dict[str, Any]]) -> None:
        """Keep the rows to write and the outcomes of the rows checked since the last batch
        (a dry run keeps nothing)."""
        start = self.checked_upto
        outcomes = self.summary.outcomes[start:]
        self.checked_upto = len(self.summary.outcomes)
        run = self.staging
        if run is None or (not items and not outcomes):
            return
        self.batches += 1
        number = self.batches
        self.slices[number] = start
        data = [outcome_json(o) for o in outcomes]
        self.timed(
            lambda: ImportBatch.objects.create(run=run, number=number, items=items, outcomes=data)
        )

    def drop_staging(self) -> None:
        run, self.staging = self.staging, None
        if run is not None:
            locks.retry_on_lock(lambda: ImportRun.objects.filter(pk=run.pk).delete())

    def start_writing(self) -> None:
        """From here on the import is to be written: a run cut short is finished, not
        checked again."""
        run = self.staging
        assert run is not None
        table = self.table
        options = {
            "sheet": table.sheet,
            "headers": [str(h) for h in table.headers],
            "columns": dict(table.columns),
            "multipliers": dict(table.multipliers),
            "encoding": table.encoding,
            "accept_valid": self.summary.accept_valid,
            "scope": self.scope,
            "units": sorted(self.units),
            "phase": self.phase_id,
        }
        self.timed(
            lambda: ImportRun.objects.filter(pk=run.pk).update(
                state=RunState.APPLYING, options=options
            )
        )

    def load_outcomes(self) -> None:
        """The outcomes of a run cut short, from its batches (written or not)."""
        assert self.staging is not None
        self.summary.outcomes = []
        for number, outcomes in (
            ImportBatch.objects.filter(run=self.staging)
            .order_by("number")
            .values_list("number", "outcomes")
        ):
            self.slices[number] = len(self.summary.outcomes)
            self.summary.outcomes.extend(outcome_of(o) for o in outcomes)

    def apply_all(self, progress: Progress | None) -> None:
        run = self.staging
        assert run is not None
        waiting = list(
            ImportBatch.objects.filter(run=run, applied_at__isnull=True)
            .order_by("number")
            .values_list("pk", flat=True)
        )
        for done, pk in enumerate(waiting, start=1):
            self.timed(functools.partial(self._apply_batch, pk))
            if progress is not None:
                progress(
                    done,
                    len(waiting),
                    _("Writing: batch %(n)s of %(total)s") % {"n": done, "total": len(waiting)},
                )

    def _apply_batch(self, pk: int) -> None:
        with transaction.atomic():
            batch = (
                ImportBatch.objects.select_for_update()
                .filter(pk=pk, applied_at__isnull=True)
                .first()
            )
            if batch is None:  # written meanwhile by another run of the same import
                return
            finals = self.apply(batch.items)
            outcomes = list(batch.outcomes)
            for position, outcome in finals:
                outcomes[position] = outcome_json(outcome)
            ImportBatch.objects.filter(pk=pk).update(
                items=[], outcomes=outcomes, applied_at=timezone.now()
            )
        start = self.slices.get(batch.number)
        if start is not None:
            for position, outcome in finals:
                self.summary.outcomes[start + position] = outcome

    def apply(self, items: list[dict[str, Any]]) -> list[tuple[int, Outcome]]:
        raise NotImplementedError  # pragma: no cover - abstract

    def finish(self) -> None:
        """The last short transaction: the audit entry of the import, and the batches go."""
        run = self.staging
        assert run is not None
        summary = self.summary

        def work() -> None:
            with transaction.atomic():
                if not ImportRun.objects.select_for_update().filter(pk=run.pk).exists():
                    return  # finished meanwhile by another run
                if any(o.status in (IMPORTED, UPDATED) for o in summary.outcomes):
                    ImportRecord(summary, self.user, self.campaign, run.digest).save()
                ImportRun.objects.filter(pk=run.pk).delete()

        self.timed(work)
        self.staging = None
        logger.info(
            "import of %s %s: %s write transactions, %.2f s in all, the longest %.3f s",
            self.kind,
            summary.filename,
            summary.writes,
            summary.write_seconds,
            summary.longest_write,
        )


def _notes(*notes: str) -> str:
    """The notes of a row's outcome, in order, those that say something."""
    return "; ".join(n for n in notes if n)


def _first_text(cells: Iterable[Any]) -> str:
    for cell in cells:
        if cell not in (None, ""):
            return str(cell)[:120]
    return ""


# -- units ---------------------------------------------------------------------------------

KIND_WORDS: list[tuple[tuple[str, ...], str]] = [
    (("to cong doan", "to cd", "group", "union group"), UnitKind.GROUP),
    (("cdcs", "co so", "cong doan co so", "grassroots"), UnitKind.GRASSROOTS),
    (("cap tren", "cap tren co so", "upper", "upper level", "cd cap tren"), UnitKind.UPPER),
    (("nganh", "cong doan nganh", "sectoral"), UnitKind.SECTORAL),
    (("tinh", "thanh pho", "ldld", "lien doan lao dong", "provincial"), UnitKind.PROVINCIAL),
]


def unit_kind(value: str) -> str | None:
    folded = fold(value).strip()
    if folded in UnitKind.values:
        return folded
    for words, kind in KIND_WORDS:
        if any(folded == w or folded.startswith(w + " ") or w in folded for w in words):
            return kind
    return None


class UnitImporter(Importer):
    kind = "units"

    def run(self, progress: Progress | None) -> None:
        known = list(self.scoped_units().filter(status=UnitStatus.ACTIVE))
        matcher = UnitMatcher(known)
        by_code = {u.code: u for u in known}
        by_parent_name: dict[tuple[int, str], Unit] = {}
        for unit in known:
            if unit.parent_id is not None:
                by_parent_name[(unit.parent_id, _name_key(unit.name))] = unit
        made_in_file: dict[str, Unit] = {}  # folded name or code -> unit created above
        for row in self.rows(progress):
            problems = self.problems()
            self.require(row, problems)
            name = self.text(row, "name", problems)
            code_text = self.text(row, "code", problems, limit=32)
            code = orgs.normalise_code(code_text) if code_text else ""
            if not name:
                problems.missing("name")
            if code and not orgs.CODE_RE.match(code):
                problems.add(
                    "code",
                    _("“%(code)s” is not a code: 1 to 32 capital letters, digits, dots, dashes.")
                    % {"code": code_text},
                )
            parent = self._parent(row, problems, matcher, made_in_file)
            kind_text = self.text(row, "kind", problems)
            kind = unit_kind(kind_text) if kind_text else None
            if kind_text and kind is None:
                problems.add("kind", _("“%(kind)s” is not a kind of unit.") % {"kind": kind_text})
            short_name = self.text(row, "short_name", problems, limit=100)
            address = self.text(row, "address", problems)
            founded_on, _precision = self.date(row, "founded_on", problems)
            if founded_on and founded_on > self.today:
                problems.add("founded_on", _("the date is later than today."))
            if problems or parent is None:
                self.reject(row, problems, name)
                continue
            if kind is None:
                kind = _default_child_kind(parent)
            existing = (
                by_code.get(code) if code else by_parent_name.get((parent.pk, _name_key(name)))
            )
            if existing is not None:
                self._existing(row, existing, parent, name, short_name, address, problems)
                continue
            if not code:
                code = _free_code(parent.code, by_code)
            try:
                with transaction.atomic():
                    unit = orgs.create_unit(
                        code=code,
                        name=name,
                        kind=kind,
                        parent=parent,
                        by=self.user,
                        short_name=short_name,
                        address=address,
                        founded_on=founded_on,
                    )
            except ValidationError as exc:
                for key, messages in exc.message_dict.items():
                    problems.add(key if key in self.table.columns else None, " ".join(messages))
                self.reject(row, problems, name)
                continue
            by_code[unit.code] = unit
            by_parent_name[(parent.pk, _name_key(unit.name))] = unit
            made_in_file[unit.code] = unit
            made_in_file.setdefault(_name_key(unit.name), unit)
            self.summary.outcomes.append(Outcome(row.number, IMPORTED, label=name, ref=unit.code))

    def _parent(
        self, row: Row, problems: Problems, matcher: UnitMatcher, made: dict[str, Unit]
    ) -> Unit | None:
        text = self.text(row, "parent", problems)
        if not text:
            problems.missing("parent")
            return None
        found = made.get(orgs.normalise_code(text)) or made.get(_name_key(text))
        if found is not None:
            return found
        match = matcher.match(text, text)
        if match.unit_id is None:
            problems.add("parent", _with_suggestions(match.problem, match.suggestions))
            return None
        parent = Unit.objects.get(pk=match.unit_id)
        if not self.in_scope(parent):
            problems.add("parent", _("you do not manage %(name)s.") % {"name": parent.name})
            return None
        return parent

    def _existing(
        self,
        row: Row,
        unit: Unit,
        parent: Unit,
        name: str,
        short_name: str,
        address: str,
        problems: Problems,
    ) -> None:
        if unit.parent_id != parent.pk:
            problems.add(
                "parent",
                _(
                    "%(code)s already exists under %(parent)s; move a unit on its page, not "
                    "by import."
                )
                % {"code": unit.code, "parent": unit.parent.name if unit.parent else "—"},
            )
            self.reject(row, problems, name)
            return
        changes: dict[str, Any] = {
            k: v
            for k, v in (("name", name), ("short_name", short_name), ("address", address))
            if v and v != getattr(unit, k)
        }
        self.update(
            row, name, unit.code, changes, lambda: orgs.update_unit(unit, by=self.user, **changes)
        )


def _name_key(name: str) -> str:
    return " ".join(fold(name).split())


def _default_child_kind(parent: Unit) -> str:
    if parent.kind in (UnitKind.GRASSROOTS, UnitKind.GROUP):
        return UnitKind.GROUP
    return UnitKind.GRASSROOTS


def _free_code(prefix: str, taken: dict[str, Any]) -> str:
    n = 1
    while True:
        code = f"{prefix}-{n:03d}"[:32]
        if code not in taken and not Unit.objects.filter(code=code).exists():
            return code
        n += 1


def _with_suggestions(problem: str, suggestions: list[str]) -> str:
    if not suggestions:
        return problem
    return _("%(problem)s Did you mean: %(names)s?") % {
        "problem": problem.rstrip("."),
        "names": "; ".join(suggestions),
    }


# -- members -------------------------------------------------------------------------------


@dataclass(slots=True)
class _NewMember:
    number: int
    code: str
    unit_id: int
    unit_path: str
    fields: dict[str, Any]
    note: str = ""


class MemberImporter(Importer):
    kind = "members"

    def run(self, progress: Progress | None) -> None:
        units = list(
            self.scoped_units()
            .filter(kind__in=orgs.MEMBER_UNIT_KINDS)
            .only("pk", "code", "name", "short_name", "kind", "path", "status", "successor_id")
        )
        matcher = UnitMatcher(units)
        unit_by_id = {u.pk: u for u in units}
        in_file: dict[tuple[int, str, Any], int] = {}
        codes_in_file: dict[str, int] = {}
        pending: list[tuple[Row, _NewMember]] = []
        for row in self.rows(progress):
            problems = self.problems()
            self.require(row, problems)
            full_name = clean_line(self.text(row, "full_name", problems))
            if not full_name and "full_name" not in " ".join(problems.items):
                problems.missing("full_name")
            unit = self._unit(row, problems, matcher, unit_by_id)
            code_text = self.text(row, "code", problems, limit=32)
            code = orgs.normalise_code(code_text) if code_text else ""
            if code and not orgs.CODE_RE.match(code):
                problems.add(
                    "code",
                    _("“%(code)s” is not a member code: up to 32 letters, digits, . _ or -.")
                    % {"code": code},
                )
            born, precision = self.date(row, "birth_date", problems)
            note = ""
            if born is not None:
                if born > self.today or born.year < 1900:
                    problems.add("birth_date", _("not a real date of birth."))
                elif precision != "day":
                    note = _("only the year or month of birth was given: kept as %(day)s.") % {
                        "day": short_date(born)
                    }
            gender = ""
            if self.raw(row, "gender") is not None:
                try:
                    gender = values.gender(self.raw(row, "gender"))
                except values.ValueProblem as exc:
                    problems.add("gender", str(exc))
            phone = ""
            if self.raw(row, "phone") is not None:
                try:
                    phone = values.phone(self.raw(row, "phone"))
                except values.ValueProblem as exc:
                    problems.add("phone", str(exc))
                if phone and not orgs.PHONE_RE.match(phone):
                    problems.add("phone", _("enter a phone number of 8 to 20 digits."))
            email = self.text(row, "email", problems).lower()
            if email and not EMAIL_RE.match(email):
                problems.add("email", _("“%(email)s” is not an email address.") % {"email": email})
            position = self.text(row, "position", problems)
            joined_on, _p = self.date(row, "joined_on", problems)
            if joined_on and joined_on > self.today:
                problems.add("joined_on", _("the date is later than today."))
            if code and code in codes_in_file:
                problems.add("code", _("the code repeats row %(n)s.") % {"n": codes_in_file[code]})
            if problems or unit is None:
                self.reject(row, problems, full_name)
                continue
            fields = {
                "full_name": full_name,
                "birth_date": born,
                "gender": gender,
                "position": position,
                "phone": phone,
                "email": email,
                "joined_on": joined_on,
            }
            key = (unit.pk, _name_key(full_name), born)
            if key in in_file:
                problems.add(None, _("the same member as row %(n)s.") % {"n": in_file[key]})
                self.reject(row, problems, full_name)
                continue
            in_file[key] = row.number
            if code:
                codes_in_file[code] = row.number
            note = _notes(self.unit_note, note)
            pending.append((row, _NewMember(row.number, code, unit.pk, unit.path, fields, note)))
            if len(pending) >= BATCH:
                self._flush(pending)
                pending = []
        self._flush(pending)

    def _unit(
        self, row: Row, problems: Problems, matcher: UnitMatcher, units: dict[int, Unit]
    ) -> Unit | None:
        self.unit_note = ""
        text = self.text(row, "unit", problems)
        if not text:
            problems.missing("unit")
            return None
        match = matcher.match(text, text)
        self.unit_note = match.note
        if match.unit_id is None:
            problems.add("unit", _with_suggestions(match.problem, match.suggestions))
            return None
        unit = units[match.unit_id]
        if unit.status != UnitStatus.ACTIVE:
            problems.add("unit", _("%(name)s is no longer active.") % {"name": unit.name})
            return None
        return unit

    def _flush(self, pending: list[tuple[Row, _NewMember]]) -> None:
        if not pending:
            return
        codes = [m.code for _r, m in pending if m.code]
        by_code = {
            m.code: m
            for start in range(0, len(codes), 900)
            for m in Member.objects.filter(code__in=codes[start : start + 900])
        }
        unit_ids = sorted({m.unit_id for _r, m in pending})
        names = sorted({fold(m.fields["full_name"])[:255] for _r, m in pending})
        by_name: dict[tuple[int, str, Any], list[Member]] = defaultdict(list)
        for u in range(0, len(unit_ids), 400):
            for n in range(0, len(names), 400):
                for member in Member.objects.filter(
                    unit_id__in=unit_ids[u : u + 400],
                    name_folded__in=names[n : n + 400],
                    left_on__isnull=True,
                ):
                    by_name[(member.unit_id, member.name_folded, member.birth_date)].append(member)
                    if member.birth_date is not None:  # else the line above is this key
                        by_name[(member.unit_id, member.name_folded, None)].append(member)
        staged: list[dict[str, Any]] = []
        for row, item in pending:
            existing: Member | None = None
            if item.code:
                existing = by_code.get(item.code)
            else:
                found = by_name.get(
                    (item.unit_id, fold(item.fields["full_name"])[:255], item.fields["birth_date"])
                )
                if found and len(found) == 1:
                    existing = found[0]
            if existing is None:
                position = self.provisional(
                    Outcome(row.number, IMPORTED, item.note, label=item.fields["full_name"])
                )
                staged.append(
                    {
                        "o": position,
                        "op": "new",
                        "n": item.number,
                        "code": item.code,
                        "unit": item.unit_id,
                        "path": item.unit_path,
                        "fields": _member_fields_json(item.fields),
                        "note": item.note,
                    }
                )
                continue
            update = self._existing(row, item, existing)
            if update is not None:
                staged.append(update)
        self.stage(staged)

    def _existing(self, row: Row, item: _NewMember, member: Member) -> dict[str, Any] | None:
        """A row naming a member already there: rejected, skipped, or an update to write
        (checked now by the rules `orgs.update_member` applies, written with the batch)."""
        label = item.fields["full_name"]
        if member.unit_id != item.unit_id:
            problems = self.problems()
            problems.add(
                "unit",
                _("%(code)s is a member of %(unit)s; move a member on their page, not by import.")
                % {"code": member.code, "unit": member.unit.name},
            )
            self.reject(row, problems, label)
            return None
        changes = {
            k: v
            for k, v in item.fields.items()
            if k != "joined_on" and v not in (None, "") and v != getattr(member, k)
        }
        if not changes:
            self.summary.outcomes.append(
                Outcome(row.number, SKIPPED, _("already there"), label=label, ref=member.code)
            )
            return None
        _cleaned, errors = orgs._clean_member_fields(changes)
        if errors:
            problems = self.problems()
            for key, message in errors.items():
                problems.add(key if key in self.table.columns else None, str(message))
            self.reject(row, problems, label)
            return None
        position = self.provisional(
            Outcome(row.number, UPDATED, _changed(changes), label=label, ref=member.code)
        )
        return {
            "o": position,
            "op": "update",
            "n": row.number,
            "member": member.pk,
            "changes": _member_fields_json(changes),
            "label": label,
            "ref": member.code,
        }

    def apply(self, items: list[dict[str, Any]]) -> list[tuple[int, Outcome]]:
        finals: list[tuple[int, Outcome]] = []
        new: list[tuple[int, _NewMember]] = []
        for p in items:
            if p["op"] == "update":
                finals.append((p["o"], self._apply_update(p)))
            else:
                fields = _member_fields(p["fields"])
                member = _NewMember(p["n"], p["code"], p["unit"], p["path"], fields, p["note"])
                new.append((p["o"], member))
        finals.extend(self._create(new))
        return finals

    def _apply_update(self, p: dict[str, Any]) -> Outcome:
        changes = _member_fields(p["changes"])
        label, ref = p["label"], p["ref"]
        problems = self.problems()
        member = Member.objects.filter(pk=p["member"]).first()
        if member is None:
            problems.add(None, _("the member %(code)s no longer exists.") % {"code": ref})
            return Outcome(p["n"], REJECTED, problems.text(), label=label, ref=ref)
        try:
            with transaction.atomic():
                orgs.update_member(member, by=self.user, **changes)
        except ValidationError as exc:
            found = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            for key, messages in found.items():
                problems.add(key if key in self.table.columns else None, " ".join(messages))
            return Outcome(p["n"], REJECTED, problems.text(), label=label, ref=ref)
        return Outcome(p["n"], UPDATED, _changed(changes), label=label, ref=ref)

    def _create(self, new: list[tuple[int, _NewMember]]) -> list[tuple[int, Outcome]]:
        if not new:
            return []
        taken = {
            c
            for start in range(0, len(new), 900)
            for c in Member.objects.filter(
                code__in=[m.code for _r, m in new[start : start + 900] if m.code]
            ).values_list("code", flat=True)
        }
        members: list[Member] = []
        for _row, item in new:
            code = item.code or _new_code(taken)
            taken.add(code)
            fields = item.fields
            member = Member(
                code=code,
                unit_id=item.unit_id,
                full_name=fields["full_name"],
                birth_date=fields["birth_date"],
                gender=fields["gender"],
                position=fields["position"],
                phone=fields["phone"],
                email=fields["email"],
                joined_on=fields["joined_on"] or self.today,
                name_folded=fold(fields["full_name"])[:255],
                sort_key=person_sort_key(fields["full_name"]),
            )
            members.append(member)
        Member.objects.bulk_create(members, batch_size=500)
        Membership.objects.bulk_create(
            [
                Membership(member=m, unit_id=m.unit_id, started_on=m.joined_on or self.today)
                for m in members
            ],
            batch_size=500,
        )
        per_path: dict[str, int] = defaultdict(int)
        for _row, item in new:
            per_path[item.unit_path] += 1
        for path, count in per_path.items():
            orgs._shift_totals(None, path, count)
        AuditEntry.objects.bulk_create(
            [
                AuditEntry(
                    actor=self.user,
                    action="member.import",
                    object_type="orgs.member",
                    object_id=str(m.pk),
                    unit_id=m.unit_id,
                    after={
                        "code": m.code,
                        "full_name": m.full_name,
                        "unit": m.unit_id,
                        "file": self.summary.filename,
                    },
                )
                for m in members
            ],
            batch_size=500,
        )
        return [
            (position, Outcome(item.number, IMPORTED, item.note, label=m.full_name, ref=m.code))
            for (position, item), m in zip(new, members, strict=True)
        ]


def _changed(changes: dict[str, Any]) -> str:
    return _("changed: %(fields)s") % {"fields": ", ".join(sorted(changes))}


_MEMBER_DATES = ("birth_date", "joined_on")


def _member_fields_json(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: _iso(v) if k in _MEMBER_DATES else v for k, v in fields.items()}


def _member_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {k: _day(v) if k in _MEMBER_DATES else v for k, v in data.items()}


_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _new_code(taken: set[str]) -> str:
    while True:
        code = "DV" + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))
        if code not in taken and not Member.objects.filter(code=code).exists():
            return code


# -- initiatives ---------------------------------------------------------------------------


@dataclass(slots=True)
class _NewInitiative:
    number: int
    unit_id: int
    title: str
    title_folded: str
    field_id: int | None
    description: str
    first_applied_on: dt.date | None
    benefit: int
    authors: list[tuple[str, int | None, Decimal]]  # name, member id, share
    note: str
    recognition: dict[str, Any]
    outcome_note: str


def _initiative_json(item: _NewInitiative, position: int) -> dict[str, Any]:
    recognition = dict(item.recognition)
    recognition["recognition_date"] = _iso(recognition.get("recognition_date"))
    return {
        "o": position,
        "n": item.number,
        "unit": item.unit_id,
        "title": item.title,
        "title_folded": item.title_folded,
        "field": item.field_id,
        "description": item.description,
        "applied_on": _iso(item.first_applied_on),
        "benefit": item.benefit,
        "authors": [[name, member, str(share)] for name, member, share in item.authors],
        "note": item.note,
        "recognition": recognition,
        "outcome_note": item.outcome_note,
    }


def _initiative_of(p: dict[str, Any]) -> _NewInitiative:
    recognition = dict(p["recognition"])
    recognition["recognition_date"] = _day(recognition.get("recognition_date"))
    return _NewInitiative(
        number=p["n"],
        unit_id=p["unit"],
        title=p["title"],
        title_folded=p["title_folded"],
        field_id=p["field"],
        description=p["description"],
        first_applied_on=_day(p["applied_on"]),
        benefit=p["benefit"],
        authors=[(name, member, Decimal(share)) for name, member, share in p["authors"]],
        note=p["note"],
        recognition=recognition,
        outcome_note=p["outcome_note"],
    )


class InitiativeImporter(Importer):
    """Rows become initiatives submitted today for review, entered on behalf of their
    authors by the user who imports (as a support team does), each with its history entry,
    its audit entry and its place in the figures."""

    kind = "initiatives"

    def run(self, progress: Progress | None) -> None:
        campaign = self.campaign
        assert campaign is not None
        if not campaign.is_open_on(self.today):
            raise ImportRefused(
                _("The campaign %(name)s accepts initiatives from %(start)s to %(end)s.")
                % {
                    "name": campaign.name,
                    "start": short_date(campaign.starts_on),
                    "end": short_date(campaign.ends_on),
                }
            )
        self.phase = campaign.phase_on(self.today)
        self.phase_id = self.phase.pk if self.phase else None
        units = [
            u
            for u in self.scoped_units()
            .filter(kind__in=ENTRY_UNIT_KINDS)
            .only("pk", "code", "name", "short_name", "kind", "path", "status", "successor_id")
            if campaign.covers(u)
        ]
        self.unit_by_id = {u.pk: u for u in units}
        self.unit_matcher = UnitMatcher(units)
        self.fields = list(ApplicationField.objects.filter(campaign=campaign))
        self.member_matchers: dict[int, _UnitMembers] = {}
        self.in_file: dict[tuple[int, str], int] = {}
        pending: list[tuple[Row, _NewInitiative]] = []
        for row in self.rows(progress):
            item = self._check(row)
            if item is None:
                continue
            pending.append((row, item))
            if len(pending) >= INITIATIVE_BATCH:
                self._flush(pending)
                pending = []
        self._flush(pending)

    # checking one row ---------------------------------------------------------------------

    def _check(self, row: Row) -> _NewInitiative | None:
        problems = self.problems()
        self.require(row, problems, fields=self._field_names())
        title = self.text(row, "title", problems, limit=MAX_TEXT)
        if title:
            title = self.rule(problems, "title", rules.title, title) or ""
        elif not problems:
            problems.missing("title")
        unit = self._unit(row, problems)
        field_id = self._field(row, problems)
        description = self._long_text(row, "summary", problems)
        if not description:
            problems.missing("summary")
        applied_on = self._applied_on(row, problems)
        benefit = 0
        raw_benefit = self.raw(row, "benefit")
        if raw_benefit is not None:
            try:
                amount = values.money(
                    raw_benefit, multiplier=self.table.multipliers.get("benefit", 1)
                )
            except values.ValueProblem as exc:
                problems.add("benefit", str(exc))
            else:
                benefit = self.rule(problems, "benefit", rules.benefit, amount) or 0
        note = self._long_text(row, "note", problems)
        recognition = self._recognition(row, problems)
        authors, author_note = self._authors(row, unit, problems)
        if unit is not None and title:
            key = (unit.pk, fold(title)[:500])
            if key in self.in_file:
                problems.add(
                    "title",
                    _("the same title under the same unit as row %(n)s.")
                    % {"n": self.in_file[key]},
                )
            else:
                self.in_file[key] = row.number
        if problems or unit is None:
            self.reject(row, problems, title)
            return None
        return _NewInitiative(
            number=row.number,
            unit_id=unit.pk,
            title=title,
            title_folded=fold(title)[:500],
            field_id=field_id,
            description=description,
            first_applied_on=applied_on,
            benefit=benefit,
            authors=authors,
            note=note,
            recognition=recognition,
            outcome_note=_notes(self.unit_note, author_note),
        )

    def _unit(self, row: Row, problems: Problems) -> Unit | None:
        self.unit_note = ""
        text = self.text(row, "unit", problems)
        if not text:
            problems.missing("unit")
            return None
        match = self.unit_matcher.match(text, text)
        self.unit_note = match.note
        if match.unit_id is None:
            problems.add("unit", _with_suggestions(match.problem, match.suggestions))
            return None
        unit = self.unit_by_id[match.unit_id]
        campaign = self.campaign
        assert campaign is not None
        problem = rules.unit_problem(unit, campaign)
        if problem:
            problems.add("unit", problem)
            return None
        return unit

    def _long_text(self, row: Row, key: str, problems: Problems) -> str:
        text = self.text(row, key, problems, limit=10 * MAX_TEXT, multiline=True)
        return self.rule(problems, key, rules.long_text, text) or ""

    def _field(self, row: Row, problems: Problems) -> int | None:
        text = self.text(row, "field", problems)
        if not text:
            problems.missing("field", fields=self._field_names())
            return None
        folded = _name_key(text)
        for f in self.fields:
            if text.strip().upper() == f.code or folded == _name_key(f.name):
                return f.pk
        for f in self.fields:  # "Kỹ thuật" for "Kỹ thuật, công nghệ"
            if _name_key(f.name).startswith(folded) and len(folded) >= 4:
                return f.pk
        problems.add(
            "field",
            _("“%(value)s” is not a field of this campaign; use one of %(fields)s.")
            % {"value": text, "fields": self._field_names()},
        )
        return None

    def _field_names(self) -> str:
        return "; ".join(f"{f.code} – {f.name}" for f in self.fields)

    def _applied_on(self, row: Row, problems: Problems) -> dt.date | None:
        day, precision = self.date(row, "applied_on", problems)
        if day is None:
            if self.raw(row, "applied_on") is None:
                problems.missing("applied_on")
            return None
        return self.rule(
            problems, "applied_on", rules.first_applied_on, day, self.campaign, self.today,
            precision,
        )  # fmt: skip

    def _recognition(self, row: Row, problems: Problems) -> dict[str, Any]:
        campaign = self.campaign
        assert campaign is not None
        found: dict[str, Any] = {}
        for key in ("recognition_body", "recognition_number"):
            text = self.text(row, key, problems, limit=MAX_TEXT)
            limit = rules.LINE_FIELDS[key]
            found[key] = self.rule(problems, key, rules.line, text, limit) or ""
        day, _p = self.date(row, "recognition_date", problems, month_ok=False)
        found["recognition_date"] = self.rule(
            problems, "recognition_date", rules.recognition_date, day, self.today
        )
        for key, message in rules.missing_recognition(campaign, found).items():
            if self.raw(row, key) is None:  # a value that is wrong was said so already
                problems.add(key, message)
        return found

    def _authors(
        self, row: Row, unit: Unit | None, problems: Problems
    ) -> tuple[list[tuple[str, int | None, Decimal]], str]:
        raw = self.raw(row, "authors")
        if raw is None:
            problems.missing("authors")
            return [], ""
        try:
            people = values.people_with_shares(raw)
        except values.ValueProblem as exc:
            problems.add("authors", str(exc))
            return [], ""
        if not people:
            problems.missing("authors")
            return [], ""
        try:
            rules.authors_count(len(people))
        except rules.RuleProblem as exc:
            problems.add("authors", exc.message)
            return [], ""
        given = [share for _name, share in people]
        shares: list[Decimal]
        if any(s is not None for s in given):
            shares = [s for s in given if s is not None]
            if len(shares) < len(given):
                problems.add("authors", _("give every author's share, or none."))
                return [], ""
            try:
                rules.shares_total(shares)
            except rules.RuleProblem as exc:
                problems.add("authors", exc.message)
                return [], ""
        else:
            shares = rules.equal_shares(len(people))
        if unit is None:
            return [], ""
        matcher = self._members(unit.pk)
        birth_year = None
        raw_year = self.raw(row, "birth_year")
        if raw_year is not None:
            try:
                birth_year = values.year(raw_year)
            except values.ValueProblem:
                birth_year = None
        out: list[tuple[str, int | None, Decimal]] = []
        outside: list[str] = []
        seen: set[int] = set()
        for i, ((name, _s), share) in enumerate(zip(people, shares, strict=True)):
            member_id, problem, suggestions = matcher.match(
                name, unit.pk, birth_year if i == 0 else None
            )
            if member_id is None:
                # A problem is an ambiguous name or a wrong year: never kept by name alone.
                if i == 0 or problem:
                    problems.add(
                        "authors",
                        _with_suggestions(
                            problem
                            or _("%(name)s is not a member of %(unit)s.")
                            % {"name": name, "unit": unit.name},
                            suggestions,
                        ),
                    )
                    continue
                outside.append(name)
            elif member_id in seen:
                problems.add("authors", rules.listed_twice(name))
                continue
            else:
                seen.add(member_id)
            out.append((name, member_id, share))
        note = ""
        if outside:
            note = _("not members of the union, kept by name: %(names)s") % {
                "names": ", ".join(outside)
            }
        return out, note

    def _members(self, unit_id: int) -> _UnitMembers:
        members = self.member_matchers.get(unit_id)
        if members is None:
            members = _UnitMembers(
                unit_id,
                Member.objects.filter(unit_id=unit_id, left_on__isnull=True).values_list(
                    "pk", "name_folded", "birth_date"
                ),
            )
            self.member_matchers[unit_id] = members
        return members

    # writing -----------------------------------------------------------------------------------

    def _flush(self, pending: list[tuple[Row, _NewInitiative]]) -> None:
        """Check a batch of rows against what the database holds, and keep the new ones."""
        if not pending:
            return
        existing = self._existing([item for _r, item in pending])
        near = self._near_titles(
            [item for _r, item in pending if (item.unit_id, item.title_folded) not in existing]
        )
        staged: list[dict[str, Any]] = []
        for row, item in pending:
            found = existing.get((item.unit_id, item.title_folded))
            similar = near.get(item.number) if found is None else None
            if similar is not None:
                problems = self.problems()
                pk, old_title = similar
                problems.add(
                    "title",
                    _(
                        "an initiative with nearly this title and the same first author was "
                        "already entered under this unit: SK-%(pk)06d “%(title)s”. If this "
                        "row corrects its title, change the title on its page; if it is "
                        "another initiative, give it a title that tells them apart."
                    )
                    % {"pk": pk, "title": old_title},
                )
                self.reject(row, problems, item.title)
                continue
            if found is None:
                position = self.provisional(
                    Outcome(row.number, IMPORTED, item.outcome_note, label=item.title)
                )
                staged.append(_initiative_json(item, position))
                continue
            outcome = self._duplicate(item, found)
            if outcome.status == REJECTED:
                outcome.cells = list(row.cells)
            self.summary.outcomes.append(outcome)
        self.stage(staged)

    def _near_titles(self, items: list[_NewInitiative]) -> dict[int, tuple[int, str]]:
        """For the rows (by number) whose title is not already there: an initiative of the
        same unit and campaign, entered (not a draft, not withdrawn), with the same first
        author and a title that differs only a little (a corrected typing slip: difflib's
        ratio on the folded titles at least 0.85), as (pk, its title). Titles are compared
        only within the same unit and first author, so a unit with thousands of
        initiatives costs no more than a few comparisons a row."""
        campaign = self.campaign
        assert campaign is not None
        if not items:
            return {}
        units = sorted({i.unit_id for i in items})
        known: dict[tuple[int, str], list[tuple[int, str, str]]] = defaultdict(list)
        for start in range(0, len(units), 500):
            for pk, unit_id, name, title, folded in (
                Author.objects.filter(
                    position_in_list=0,
                    initiative__campaign_id=campaign.pk,
                    initiative__unit_id__in=units[start : start + 500],
                )
                .exclude(initiative__status__in=[Status.DRAFT, Status.WITHDRAWN])
                .values_list(
                    "initiative_id", "initiative__unit_id", "name", "initiative__title",
                    "initiative__title_folded",
                )
            ):  # fmt: skip
                known[(unit_id, _name_key(name))].append((pk, title, folded))
        found: dict[int, tuple[int, str]] = {}
        for item in items:
            if not item.authors:
                continue
            same = known.get((item.unit_id, _name_key(item.authors[0][0])))
            if not same:
                continue
            matcher = difflib.SequenceMatcher(b=item.title_folded)
            for pk, title, folded in same:
                matcher.set_seq1(folded)
                if matcher.real_quick_ratio() >= 0.85 and matcher.ratio() >= 0.85:
                    found[item.number] = (pk, title)
                    break
        return found

    def _duplicate(self, item: _NewInitiative, found: tuple[int, int, list[str]]) -> Outcome:
        """The outcome of a row whose unit already has an initiative of this title."""
        pk, benefit, names = found
        ref = f"SK-{pk:06d}"
        if benefit == item.benefit and names == [_name_key(n) for n, _m, _s in item.authors]:
            return Outcome(item.number, SKIPPED, _("already there"), label=item.title, ref=ref)
        problems = self.problems()
        problems.add(
            "title",
            _(
                "an initiative with this title was already entered under this unit "
                "(%(ref)s) with other authors or benefit; change it on its page."
            )
            % {"ref": ref},
        )
        return Outcome(item.number, REJECTED, problems.text(), label=item.title)

    def apply(self, items: list[dict[str, Any]]) -> list[tuple[int, Outcome]]:
        """Write one batch (inside its transaction): the rows still new, each with its
        authors, history entry, audit entry and place in the figures."""
        campaign = self.campaign
        assert campaign is not None
        checked = [(p["o"], _initiative_of(p)) for p in items]
        # Checked again: another import may have entered the same rows since the check.
        existing = self._existing([item for _o, item in checked])
        finals: list[tuple[int, Outcome]] = []
        new: list[tuple[int, _NewInitiative]] = []
        for position, item in checked:
            found = existing.get((item.unit_id, item.title_folded))
            if found is None:
                new.append((position, item))
            else:
                finals.append((position, self._duplicate(item, found)))
        if not new:
            return finals
        user_id = self.user.pk if self.user is not None else None
        phase_id = self.phase_id
        ids = bulk.insert(
            Initiative,
            [
                {
                    "campaign_id": campaign.pk,
                    "unit_id": item.unit_id,
                    "phase_id": phase_id,
                    "title": item.title,
                    "title_folded": item.title_folded,
                    "field_id": item.field_id,
                    "description": item.description,
                    "first_applied_on": item.first_applied_on,
                    "benefit_claimed_vnd": item.benefit,
                    "status": Status.SUBMITTED,
                    "entered_by_id": user_id,
                    "on_behalf": True,
                    "submitted_at": self.now,
                    **item.recognition,
                }
                for _row, item in new
            ],
            returning=True,
        )
        bulk.insert(
            Author,
            [
                {
                    "initiative_id": pk,
                    "member_id": member_id,
                    "name": name[:255],
                    "share": share,
                    "position_in_list": i,
                }
                for pk, (_row, item) in zip(ids, new, strict=True)
                for i, (name, member_id, share) in enumerate(item.authors)
            ],
        )
        note = _("Imported from %(file)s") % {"file": self.summary.filename}
        entries = []
        states = []
        for pk, (_position, item) in zip(ids, new, strict=True):
            members = sorted({m for _n, m, _s in item.authors if m is not None})
            row_note = _("%(note)s, row %(n)s.") % {"note": note, "n": item.number}
            if item.note:
                row_note += " " + _("Note in the file: %(note)s") % {"note": item.note}
            entries.append(
                {
                    "initiative_id": pk,
                    "action": Action.SUBMITTED,
                    "from_status": Status.DRAFT,
                    "to_status": Status.SUBMITTED,
                    "actor_id": user_id,
                    "at": self.now,
                    "note": row_note,
                    "benefit_claimed_vnd": item.benefit,
                    "members": members,
                }
            )
            states.append(
                (
                    item.unit_id,
                    phase_id,
                    stats_engine.next_state(
                        stats_engine.NOTHING, Status.SUBMITTED, item.benefit, None, members
                    ),
                )
            )
        bulk.insert(HistoryEntry, entries)
        stats_engine.add_new(campaign.pk, stats_engine.local_day(self.now), states)
        bulk.insert(
            AuditEntry,
            [
                {
                    "at": self.now,
                    "actor_id": user_id,
                    "action": "initiative.import",
                    "object_type": "initiatives.initiative",
                    "object_id": str(pk),
                    "unit_id": item.unit_id,
                    "after": {
                        "title": item.title,
                        "unit": item.unit_id,
                        "status": Status.SUBMITTED,
                        "benefit_claimed_vnd": item.benefit,
                        "file": self.summary.filename,
                        "row": item.number,
                    },
                }
                for pk, (_position, item) in zip(ids, new, strict=True)
            ],
        )
        finals.extend(
            (position, Outcome(item.number, IMPORTED, item.outcome_note, label=item.title,
                               ref=f"SK-{pk:06d}"))
            for pk, (position, item) in zip(ids, new, strict=True)
        )  # fmt: skip
        return finals

    def _existing(
        self, items: list[_NewInitiative]
    ) -> dict[tuple[int, str], tuple[int, int, list[str]]]:
        """The initiatives already entered with these units and titles (not drafts, not
        withdrawn, as the duplicate check on submission): pk, claimed benefit, author names."""
        campaign = self.campaign
        assert campaign is not None
        titles = sorted({i.title_folded for i in items})
        units = sorted({i.unit_id for i in items})
        found: dict[tuple[int, str], tuple[int, int, list[str]]] = {}
        for start in range(0, len(titles), 500):
            query = (
                Initiative.objects.filter(
                    campaign_id=campaign.pk,
                    title_folded__in=titles[start : start + 500],
                )
                .exclude(status__in=[Status.DRAFT, Status.WITHDRAWN])
                .values_list("pk", "unit_id", "title_folded", "benefit_claimed_vnd")
            )
            if len(units) <= 500:
                query = query.filter(unit_id__in=units)
            for pk, unit_id, title_folded, benefit in query:
                found[(unit_id, title_folded)] = (pk, benefit, [])
        if found:
            by_pk = {v[0]: v[2] for v in found.values()}
            pks = sorted(by_pk)
            for start in range(0, len(pks), 900):
                for initiative_id, name in (
                    Author.objects.filter(initiative_id__in=pks[start : start + 900])
                    .order_by("initiative_id", "position_in_list", "pk")
                    .values_list("initiative_id", "name")
                ):
                    by_pk[initiative_id].append(_name_key(name))
        return found


class _UnitMembers:
    """The members of one unit by folded name, kept lean (a province names hundreds of
    thousands): (id, year of birth) per name. A name that is not simply one member, a year
    that does not fit or a member code goes to `MemberMatcher`, built for the unit only then,
    for its message and suggestions."""

    __slots__ = ("unit_id", "names", "full")

    def __init__(self, unit_id: int, rows: Iterable[tuple[int, str, Any]]) -> None:
        self.unit_id = unit_id
        self.names: dict[str, Any] = {}
        self.full: MemberMatcher | None = None
        for pk, folded, born in rows:
            entry = (pk, born.year if born else None)
            found = self.names.get(folded)
            if found is None:
                self.names[folded] = entry
            elif isinstance(found, list):
                found.append(entry)
            else:
                self.names[folded] = [found, entry]

    def match(
        self, name: str, unit_id: int, birth_year: int | None = None
    ) -> tuple[int | None, str, list[str]]:
        found = self.names.get(fold(name)[:255])
        if isinstance(found, tuple):
            pk, year = found
            if birth_year is None or year is None or year == birth_year:
                return pk, "", []
        return self._full().match(name, unit_id, birth_year)

    def _full(self) -> MemberMatcher:
        if self.full is None:
            self.full = MemberMatcher(
                Member.objects.filter(unit_id=self.unit_id, left_on__isnull=True).values_list(
                    "pk", "code", "full_name", "birth_date", "unit_id"
                )
            )
        return self.full


# -- the rejected rows back --------------------------------------------------------------------


def errors_xlsx(summary: Summary, out: str | IO[bytes]) -> int:
    """Write the rejected rows with their original cells, their row number in the file and
    the reason, in the user's language; returns how many rows were written. Text is written
    as text, never starting a formula (sangkien.core.cells)."""
    book = xlsxwriter.Workbook(
        out, {"constant_memory": True, "in_memory": not isinstance(out, str)}
    )
    sheet = book.add_worksheet(_("Rejected rows")[:31])
    bold = book.add_format(
        {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#F2F2F2"}
    )
    reason_format = book.add_format({"font_color": "#9C0006", "text_wrap": True, "valign": "top"})
    date_format = book.add_format({"num_format": "dd/mm/yyyy"})
    headers = list(summary.headers)
    width = max([len(headers), *(len(o.cells or []) for o in summary.rejected)])
    headers += [""] * (width - len(headers))
    sheet.write_string(0, 0, _("Row in the file"), bold)
    for c, header in enumerate(headers, start=1):
        sheet.write_string(0, c, safe_cell_text(str(header)), bold)
    # The sheet of the file the rows come from (none for a CSV), then the reason.
    sheet.write_string(0, width + 1, _("Sheet"), bold)
    sheet.write_string(0, width + 2, _("Reason"), bold)
    sheet.set_column(0, 0, 10)
    sheet.set_column(1, width + 1, 18)
    sheet.set_column(width + 2, width + 2, 60)
    sheet.freeze_panes(1, 0)
    written = 0
    for r, outcome in enumerate(summary.rejected, start=1):
        sheet.write_number(r, 0, outcome.number)
        for c, value in enumerate(outcome.cells or [], start=1):
            _write_cell(sheet, r, c, value, date_format)
        if summary.sheet:
            sheet.write_string(r, width + 1, safe_cell_text(summary.sheet))
        sheet.write_string(r, width + 2, safe_cell_text(outcome.message), reason_format)
        written += 1
    book.close()
    return written


def _write_cell(sheet: Any, r: int, c: int, value: Any, date_format: Any) -> None:
    if value is None or value == "":
        return
    if isinstance(value, bool):
        sheet.write_boolean(r, c, value)
    elif isinstance(value, int | float):
        sheet.write_number(r, c, value)
    elif isinstance(value, dt.datetime | dt.date):
        sheet.write_datetime(r, c, value, date_format)
    elif isinstance(value, dt.time | dt.timedelta):
        sheet.write_string(r, c, safe_cell_text(str(value)))
    else:
        sheet.write_string(r, c, safe_cell_text(str(value)))


__all__ = [
    "KINDS",
    "ImportRefused",
    "Outcome",
    "SpreadsheetError",
    "Summary",
    "errors_xlsx",
    "run_import",
]
