""" "Export to Excel" from the list pages: the review queue (with its filters), a unit's
members (with the search), the units of a unit's subtree and a unit's dashboard figures.

The buttons post to these views with the page's own query string, so the export holds the
rows the page lists, in the user's scope (404 outside it, as the page). Up to
`services.inline_limit()` rows the file comes back at once; a larger export starts a
background job and the browser goes to its progress page."""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from sangkien.core.wording import Wording
from sangkien.jobs.services import start

from . import services
from .phrases import EXPORT_TITLE
from .tables import Table


def job_label(table: Table, rows: int) -> Wording:
    return EXPORT_TITLE(kind=table.kind, rows=rows, unit=table.unit.name if table.unit else "")


def export(request: HttpRequest, kind: str, code: str = "") -> HttpResponseBase:
    table = services.table_for(kind, request.user, code, request.GET)
    total = table.count()
    if total <= services.inline_limit():
        buffer = io.BytesIO()
        rows = services.write(table, buffer)
        services.record_personal_read(table, request.user, rows)
        buffer.seek(0)
        response = FileResponse(buffer, as_attachment=True, filename=services.file_name(table))
        response["Content-Type"] = services.XLSX_TYPE
        return response
    job = start(
        "export",
        user=request.user,
        unit=table.unit,
        label=job_label(table, total),
        params={"kind": kind, "code": code, "query": request.GET.urlencode()},
    )
    return redirect("jobs:detail", job.pk)


@login_required
@require_POST
def export_initiatives(request: HttpRequest) -> HttpResponseBase:
    return export(request, "initiatives")


@login_required
@require_POST
def export_members(request: HttpRequest, code: str) -> HttpResponseBase:
    return export(request, "members", code)


@login_required
@require_POST
def export_units(request: HttpRequest, code: str) -> HttpResponseBase:
    return export(request, "units", code)


@login_required
@require_POST
def export_figures(request: HttpRequest, code: str) -> HttpResponseBase:
    return export(request, "figures", code)
