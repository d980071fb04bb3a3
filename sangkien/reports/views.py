"""The start page (what needs the signed-in user: `home.py`), and the progress report of a
unit: a small form, and the same report as .xlsx or PDF.

Access is the dashboard's: the unit is fetched with `get_unit_for_user` (anything outside the
user's subtrees answers 404) and the campaigns are the user's (`campaigns_for`). Bad input on
a download shows the form again, with the message under the field it concerns."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from sangkien.campaigns.permissions import campaigns_for
from sangkien.orgs.models import Unit
from sangkien.orgs.permissions import breadcrumbs_for, get_unit_for_user
from sangkien.stats import figures
from sangkien.stats.choice import default_campaign

from .forms import ProgressReportForm
from .home import home_for
from .pdf import render_pdf
from .progress import progress_report
from .xlsx import render_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"
RENDERERS = {"xlsx": (render_xlsx, XLSX), "pdf": (render_pdf, PDF)}


def _form(request: HttpRequest, unit: Unit, bound: bool) -> ProgressReportForm:
    campaigns = campaigns_for(request.user)
    return ProgressReportForm(
        request.GET if bound else None,
        unit=unit,
        campaigns=campaigns,
        campaign=default_campaign(campaigns, unit),
    )


def _form_page(
    request: HttpRequest, unit: Unit, form: ProgressReportForm, status: int = 200
) -> HttpResponse:
    context: dict[str, Any] = {
        "unit": unit,
        "form": form,
        "errors": form.error_list() if form.is_bound else [],
        "breadcrumbs": breadcrumbs_for(request.user, unit),
        "has_campaign": bool(form.campaigns),
    }
    return render(request, "reports/progress_form.html", context, status=status)


def home(request: HttpRequest) -> HttpResponse:
    """The landing page: what needs the signed-in user; for a visitor, how to get in."""
    if request.user.is_authenticated:
        return render(request, "core/home_user.html", {"home": home_for(request.user)})
    return render(request, "core/home.html")


@login_required
@require_GET
def progress_form(request: HttpRequest, code: str) -> HttpResponse:
    """The form, filled with the defaults; with a query string (as from the dashboard's
    link) it starts from those values and shows what does not parse."""
    unit = get_unit_for_user(request.user, code)
    form = _form(request, unit, bound=bool(request.GET))
    if form.is_bound and not form.is_valid():
        return _form_page(request, unit, form, status=400)
    return _form_page(request, unit, form)


@login_required
@require_GET
def progress_file(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    unit = get_unit_for_user(request.user, code)
    form = _form(request, unit, bound=True)
    if not form.is_valid() or form.campaign_obj is None:
        return _form_page(request, unit, form, status=400)
    report = progress_report(
        unit,
        form.campaign_obj,
        phase=form.phase_obj,
        as_of=form.cleaned_data.get("as_of"),
        tree=form.cleaned_data.get("tree") or figures.CURRENT,
        letterhead=form.letterhead(),
    )
    render_file, content_type = RENDERERS[fmt]
    response = HttpResponse(render_file(report), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{report.filename_stem}.{fmt}"'
    patch_cache_control(response, private=True, no_store=True)
    return response
