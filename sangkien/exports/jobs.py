"""The background job of a large export: the table the user asked for (checked again
against the user's scope now), written to a temporary file, then kept as the job's output."""

from __future__ import annotations

import os
import tempfile
from typing import Any

from django.http import Http404, QueryDict
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sangkien.jobs.models import Job
from sangkien.jobs.services import JobError, Progress, register, save_output

from . import services


def _n(value: int) -> str:
    return number_format(value, use_l10n=True, force_grouping=True)


@register("export")
def run_export(job: Job, progress: Progress) -> dict[str, Any]:
    params = job.params
    try:
        table = services.table_for(
            params["kind"], job.user, params.get("code", ""), QueryDict(params.get("query", ""))
        )
    except Http404:
        raise JobError(_("You can no longer see what this export was asked for.")) from None
    progress(0, 0, _("Counting the rows…"))
    total = table.count()

    def report(done: int, total: int) -> None:
        progress(done, total, _("%(done)s of %(total)s rows written") % {
            "done": _n(done), "total": _n(total)
        })  # fmt: skip

    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        rows = services.write(table, path, total=total, progress=report)
        services.record_personal_read(table, job.user, rows)
        progress(rows, rows, _("Saving the file…"))
        save_output(job, services.file_name(table), path)
    finally:
        os.unlink(path)
    summary = ngettext("%(rows)s row exported.", "%(rows)s rows exported.", rows) % {
        "rows": _n(rows)
    }
    progress(rows, rows, summary)
    return {"rows": rows, "kind": table.kind, "summary": summary}
