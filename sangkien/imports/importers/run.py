"""The run of an import: read the table, check every row, keep the batches, write them
(or resume the writing of an import cut short)."""

from __future__ import annotations

import time
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sangkien.campaigns.models import Campaign
from sangkien.core import locks

from ..models import ImportRun, RunState
from ..reading import Table, open_table
from .base import (
    Importer,
)
from .common import (
    IMPORTED,
    KINDS,
    REJECTED,
    UPDATED,
    ImportRecord,
    ImportRefused,
    Progress,
    Summary,
    _Rollback,
    logger,
    source_digest,
)
from .initiatives import (
    InitiativeImporter,
)
from .members import (
    MemberImporter,
)
from .units import (
    UnitImporter,
)

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
