"""The background job of a spreadsheet import (`sangkien.jobs`, kind "import").

A job first checks the file (`dry_run`: every row read and checked, nothing kept); when its
owner confirms, a second job imports the same stored file. Both run `run_import` on the
job's input file with the parameters the view recorded when it started the job:

    {"kind": "initiatives", "campaign": "1TRIEU", "dry_run": true, "accept_valid": false,
     "scope": ["0001.0002."], "from_job": 12}

(`scope`: the unit paths the user could import into when the job was started, None for
everywhere; `from_job`: the check a real import confirms). The result is what the import
page shows: the counts, and the rows to list (every rejected row, up to a limit, and the
first others). The rejected rows, with their cells and the reason, are the job's file."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from sangkien.campaigns.models import Campaign
from sangkien.jobs.models import Job
from sangkien.jobs.services import JobError, Progress, register
from sangkien.jobs.services import save_output as save_job_output
from sangkien.text import fold

if TYPE_CHECKING:
    from .importers import Summary

# The row outcomes of sangkien.imports.importers, which is loaded when a job runs (this module
# is loaded with every kind of job, to register the handler).
IMPORTED, UPDATED, SKIPPED, REJECTED = "imported", "updated", "skipped", "rejected"

# How many rows the result lists for the page: the rejected ones (all of them up to this
# limit; the file of rejected rows always has every one) and the first of the others.
MAX_REJECTED_SHOWN = 5_000
MAX_OTHERS_SHOWN = 500


@register("import")
def import_file(job: Job, progress: Progress) -> dict[str, Any]:
    from .importers import ImportRefused, SpreadsheetError, run_import

    params = job.params or {}
    kind = params.get("kind", "")
    campaign = None
    if params.get("campaign"):
        campaign = Campaign.objects.filter(code=params["campaign"]).first()
        if campaign is None:
            raise JobError(
                _("The campaign %(code)s no longer exists.") % {"code": params["campaign"]}
            )
    if not job.input_file:
        raise JobError(_("The file of this import is no longer kept; upload it again."))
    filename = job.input_name or PurePath(job.input_file.name or "").name
    progress(0, 0, _("Reading the file…"))
    options: dict[str, Any] = {
        "user": job.user,
        "scope": params.get("scope"),
        "units": params.get("units") or None,
        "campaign": campaign,
        "dry_run": bool(params.get("dry_run")),
        "accept_valid": bool(params.get("accept_valid")),
        "progress": progress,
        # A run of this job cut short while writing is finished, not started again.
        "job": job,
    }
    try:
        try:
            path = job.input_file.path  # on the file system: read in place
        except NotImplementedError:
            with job.input_file.open("rb") as source:
                summary = run_import(kind, source, filename, **options)
        else:
            if not Path(path).is_file():
                raise JobError(_("The file of this import is no longer kept; upload it again."))
            summary = run_import(kind, path, filename, **options)
    except (SpreadsheetError, ImportRefused) as exc:
        raise JobError(exc.message) from exc
    rejected = summary.count(REJECTED)
    if rejected:
        progress(len(summary.outcomes), len(summary.outcomes), _("Writing the rejected rows…"))
        save_rejected_rows(job, summary, filename)
    return result_of(job, summary)


def save_rejected_rows(job: Job, summary: Summary, filename: str) -> None:
    """The rejected rows as an .xlsx, the job's file to download."""
    from .importers import errors_xlsx

    with tempfile.TemporaryDirectory(prefix="sangkien-import-") as folder:
        path = Path(folder) / "rejected.xlsx"
        errors_xlsx(summary, str(path))
        save_job_output(job, rejected_rows_name(filename), path)


def rejected_rows_name(filename: str) -> str:
    """The name of the download, in Vietnamese whatever the language (as the other files the
    site names): "dong-bi-loai-danh-sach.xlsx" for "Danh sách.xlsx"."""
    stem = re.sub(r"[^a-z0-9]+", "-", fold(PurePath(filename).stem)).strip("-")[:80]
    return f"dong-bi-loai-{stem or 'tep'}.xlsx"


def result_of(job: Job, summary: Summary) -> dict[str, Any]:
    counts = summary.as_json()
    shown: list[dict[str, Any]] = []
    rejected_shown = others_shown = 0
    for outcome in sorted(summary.outcomes, key=lambda o: o.number):
        if outcome.status == REJECTED:
            if rejected_shown >= MAX_REJECTED_SHOWN:
                continue
            rejected_shown += 1
        else:
            if others_shown >= MAX_OTHERS_SHOWN:
                continue
            others_shown += 1
        shown.append(
            {
                "number": outcome.number,
                "status": outcome.status,
                "label": outcome.label,
                "ref": outcome.ref,
                "message": outcome.message,
            }
        )
    return {
        "summary": summary_line(summary, counts),
        "counts": counts,
        "kind": summary.kind,
        "filename": summary.filename,
        "sheet": summary.sheet,
        "notes": [str(n) for n in summary.notes],
        "headers": [str(h) for h in summary.headers],
        "dry_run": summary.dry_run,
        "accept_valid": summary.accept_valid,
        "applied": summary.applied,
        "outcomes": shown,
        "outcomes_total": len(summary.outcomes),
        "url": reverse("imports:detail", args=[job.pk]),
    }


def summary_line(summary: Summary, counts: dict[str, Any]) -> str:
    """One sentence for the lists of jobs, in the job's language."""
    n = {
        key: number_format(counts[key], force_grouping=True)
        for key in ("rows", IMPORTED, UPDATED, SKIPPED, REJECTED)
    }
    if summary.dry_run:
        return (
            _(
                "Checked %(rows)s rows: %(imported)s to import, %(updated)s to update, "
                "%(skipped)s already there or skipped, %(rejected)s rejected."
            )
            % n
        )
    if summary.applied:
        return (
            _(
                "Imported %(imported)s rows and updated %(updated)s; %(skipped)s already there "
                "or skipped, %(rejected)s rejected."
            )
            % n
        )
    return _("Nothing was imported: %(rejected)s of %(rows)s rows are rejected.") % n
