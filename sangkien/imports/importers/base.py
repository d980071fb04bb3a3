"""What every kind of row shares: the problems of a row naming their columns, the importer's
scope, matching and batches."""

from __future__ import annotations

import datetime as dt
import functools
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.db import reset_queries, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from sangkien import values
from sangkien.campaigns.models import Campaign
from sangkien.core import locks
from sangkien.initiatives import rules
from sangkien.orgs.models import Unit

from ..columns import COLUMNS, column
from ..models import ImportBatch, ImportRun, RunState
from ..reading import Row, Skipped, Table
from .common import (
    IMPORTED,
    REJECTED,
    SKIPPED,
    UPDATED,
    ImportRecord,
    Outcome,
    Progress,
    Summary,
    logger,
    outcome_json,
    outcome_of,
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
            # Figures and member counts move: no reorganisation runs meanwhile.
            locks.hold_tree()
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
