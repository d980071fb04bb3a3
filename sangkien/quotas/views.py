"""The quota page of a unit: its children with their quotas, targets and figures so far, the
sum against the unit's own quota, its own target, a spreadsheet upload with a preview, the
template to fill in, and the latest changes.

Every page fetches the unit with `get_unit_for_user` (404 outside the user's subtrees) and
the campaign with `get_campaign_for_unit` (404 for one the user cannot use or that does not
cover the unit); a user who may see but not change gets 403 on the forms that change. Every
write goes through sangkien.quotas.services."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from sangkien.campaigns.models import Campaign, Phase
from sangkien.core.errors import ConflictError, ValidationError
from sangkien.core.pages import is_htmx
from sangkien.orgs.models import Unit
from sangkien.orgs.permissions import breadcrumbs_for, get_unit_for_user, top_units_for
from sangkien.stats.figures import figures_for

from . import services, spreadsheets
from .forms import OwnQuotaForm, TargetForm, UploadForm, posted_allocation
from .models import QuotaField
from .permissions import (
    campaigns_for_unit,
    can_allocate,
    can_set_own_quota,
    can_set_target,
    get_campaign_for_unit,
    get_phase,
)

HISTORY_LIMIT = 30


def _unit_for(request: HttpRequest, code: str, check: Callable[[Any, Unit], bool]) -> Unit:
    """The unit for a form that changes it: 404 when not visible, 403 when not allowed."""
    unit = get_unit_for_user(request.user, code)
    if not check(request.user, unit):
        raise PermissionDenied
    return unit


def _selection(request: HttpRequest, unit: Unit) -> tuple[Campaign | None, Phase | None]:
    """The campaign and phase named by the query string (also on a POST's action URL)."""
    campaign = get_campaign_for_unit(request.user, unit, request.GET.get("campaign"))
    phase = get_phase(campaign, request.GET.get("phase")) if campaign else None
    return campaign, phase


def _required_selection(request: HttpRequest, unit: Unit) -> tuple[Campaign, Phase | None]:
    campaign, phase = _selection(request, unit)
    if campaign is None:
        raise Http404
    return campaign, phase


def _query(campaign: Campaign, phase: Phase | None) -> str:
    params = {"campaign": campaign.code}
    if phase is not None:
        params["phase"] = str(phase.number)
    return urlencode(params)


def page_url(unit: Unit, campaign: Campaign, phase: Phase | None) -> str:
    return reverse("quotas:unit", args=[unit.code]) + "?" + _query(campaign, phase)


@dataclass
class ChildRow:
    unit: Unit
    assigned: int | None  # stored for this period (what the input edits)
    effective: int | None  # as the statistics read it (phases summed for the campaign)
    target: int | None
    version: int
    figures: Any
    input_value: str
    error: str = ""

    @property
    def more_than_members(self) -> bool:
        return _more_than_members(self.assigned, self.unit)

    @property
    def from_phases(self) -> bool:
        return self.assigned is None and self.effective is not None


def _plain(value: int | None) -> str:
    """A quota as the page writes figures beside it ("1.500" in Vietnamese, "1,500" in
    English); the allocation reads both back as 1500."""
    return "" if value is None else number_format(value, force_grouping=True)


def _more_than_members(value: int | None, unit: Unit) -> bool:
    """A quota above the unit's active members (more initiatives than people to write
    them): allowed, since one member may write several, but worth a second look. Units with
    no members recorded yet are not warned about."""
    return value is not None and unit.members_total > 0 and value > unit.members_total


def _render_page(
    request: HttpRequest,
    unit: Unit,
    campaign: Campaign | None,
    phase: Phase | None,
    *,
    status: int = 200,
    posted: dict[int, str] | None = None,
    row_errors: dict[str, list[str]] | None = None,
    page_errors: list[str] | None = None,
    target_form: TargetForm | None = None,
    own_form: OwnQuotaForm | None = None,
    upload_form: UploadForm | None = None,
    preview: spreadsheets.UploadPreview | None = None,
) -> HttpResponse:
    user = request.user
    context: dict[str, Any] = {
        "unit": unit,
        "breadcrumbs": breadcrumbs_for(user, unit),
        "campaigns": campaigns_for_unit(user, unit),
        "campaign": campaign,
        "phase": phase,
    }
    if campaign is None:
        return render(request, "quotas/quota_page.html", context, status=status)
    table = services.quota_table(unit, campaign, phase)
    children, values, stored = table.children, table.values, table.stored
    figures = figures_for([unit, *children], campaign, phase=phase)
    row_errors = row_errors or {}
    rows = []
    for child in children:
        row = stored.get(child.pk)
        value = values.get(child.pk, services.QuotaValue(None, None))
        shown = posted.get(child.pk) if posted and child.pk in posted else None
        rows.append(
            ChildRow(
                unit=child,
                assigned=row.assigned if row else None,
                effective=value.assigned,
                target=value.target,
                version=row.version if row else 0,
                figures=figures.get(child.pk),
                input_value=shown if shown is not None else _plain(row.assigned if row else None),
                error=" ".join(row_errors.get(child.code, [])),
            )
        )
    own_row = stored.get(unit.pk)
    own_version = own_row.version if own_row else 0
    may_target = can_set_target(user, unit)
    may_own = can_set_own_quota(user, unit, campaign)
    if target_form is None and may_target:
        target_form = TargetForm(
            initial={"target": _plain(own_row.target if own_row else None), "version": own_version}
        )
    if own_form is None and may_own:
        own_form = OwnQuotaForm(
            initial={
                "assigned": _plain(own_row.assigned if own_row else None),
                "version": own_version,
            }
        )
    may_allocate = can_allocate(user, unit) and bool(children)
    if upload_form is None and may_allocate:
        upload_form = UploadForm()
    query = _query(campaign, phase)
    context.update(
        {
            "phases": list(campaign.phases.all()),
            "query": query,
            "rows": rows,
            "own": values.get(unit.pk, services.QuotaValue(None, None)),
            "own_figures": figures.get(unit.pk),
            "summary": services.allocation_summary(
                unit, campaign, phase, children=children, values=values
            ),
            "history": services.history([unit, *children], campaign, phase, limit=HISTORY_LIMIT),
            "can_allocate": may_allocate,
            "can_set_target": may_target,
            "can_set_own": may_own,
            "target_form": target_form,
            "own_form": own_form,
            "upload_form": upload_form,
            "preview": preview,
            "page_errors": page_errors or [],
            "versions": ",".join(f"{r.unit.pk}:{r.version}" for r in rows),
            "note": request.POST.get("note", "") if request.method == "POST" else "",
        }
    )
    return render(request, "quotas/quota_page.html", context, status=status)


# -- pages ---------------------------------------------------------------------------------


@login_required
@require_GET
def quota_index(request: HttpRequest) -> HttpResponse:
    units = list(top_units_for(request.user).in_order())
    if len(units) == 1:
        return redirect("quotas:unit", code=units[0].code)
    return render(request, "quotas/quota_index.html", {"units": units})


@login_required
@require_GET
def unit_quotas(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_unit_for_user(request.user, code)
    campaign, phase = _selection(request, unit)
    return _render_page(request, unit, campaign, phase)


@login_required
@require_POST
def quota_allocate(request: HttpRequest, code: str) -> HttpResponse:
    unit = _unit_for(request, code, can_allocate)
    campaign, phase = _required_selection(request, unit)
    values, versions = posted_allocation(request.POST)
    try:
        changes = services.allocate(
            unit,
            campaign,
            phase,
            values,
            request.user,
            expected_versions=versions,
            note=request.POST.get("note", ""),
        )
    except ValidationError as exc:
        errors = exc.message_dict
        child_codes = set(Unit.objects.filter(parent=unit).values_list("code", flat=True))
        rows = {k: v for k, v in errors.items() if k in child_codes}
        others = [m for k, ms in errors.items() if k not in child_codes for m in ms]
        return _render_page(
            request,
            unit,
            campaign,
            phase,
            status=400,
            posted=values,
            row_errors=rows,
            page_errors=[_("Nothing was saved. Correct the rows marked below."), *others],
        )
    except ConflictError as exc:
        return _render_page(request, unit, campaign, phase, status=409, page_errors=[exc.message])
    _report(request, changes)
    return redirect(page_url(unit, campaign, phase))


def _report(request: HttpRequest, changes: list[Any]) -> None:
    assigned = [c for c in changes if c.field == QuotaField.ASSIGNED]
    cleared = [c.quota.unit.name for c in changes if c.field == QuotaField.TARGET]
    if assigned:
        messages.success(
            request,
            ngettext(
                "%(n)s quota was saved.", "%(n)s quotas were saved.", len(assigned)
            ) % {"n": len(assigned)},
        )  # fmt: skip
    else:
        messages.info(request, _("Nothing changed: every quota already had that value."))
    crowded = [c.quota.unit for c in assigned if _more_than_members(c.after, c.quota.unit)]
    if crowded:
        messages.warning(
            request,
            _(
                "Check these quotas: they are more than the unit's active members: "
                "%(units)s. They were saved; one member may write several initiatives."
            )
            % {
                "units": "; ".join(
                    _("%(unit)s (%(members)s members)")
                    % {
                        "unit": u.name,
                        "members": number_format(u.members_total, force_grouping=True),
                    }
                    for u in crowded
                )
            },
        )
    if cleared:
        messages.warning(
            request,
            _(
                "The self-set targets of %(units)s were cleared: they were below the new "
                "quotas. These units may set new targets."
            )
            % {"units": ", ".join(cleared)},
        )


@login_required
@require_POST
def quota_target(request: HttpRequest, code: str) -> HttpResponse:
    unit = _unit_for(request, code, can_set_target)
    campaign, phase = _required_selection(request, unit)
    form = TargetForm(request.POST)
    if form.is_valid():
        try:
            changes = services.set_target(
                unit,
                campaign,
                phase,
                form.cleaned_data["target"],
                request.user,
                expected_version=form.cleaned_data["version"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("target", message)
        except ConflictError as exc:
            return _render_page(
                request, unit, campaign, phase, status=409, page_errors=[exc.message]
            )
        else:
            if changes:
                messages.success(request, _("The target was saved."))
            else:
                messages.info(request, _("Nothing changed: the target already had that value."))
            return redirect(page_url(unit, campaign, phase))
    return _render_page(request, unit, campaign, phase, status=400, target_form=form)


@login_required
@require_POST
def quota_own(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_unit_for_user(request.user, code)
    campaign, phase = _required_selection(request, unit)
    if not can_set_own_quota(request.user, unit, campaign):
        raise PermissionDenied
    form = OwnQuotaForm(request.POST)
    if form.is_valid():
        try:
            changes = services.set_own_quota(
                unit,
                campaign,
                phase,
                form.cleaned_data["assigned"],
                request.user,
                expected_version=form.cleaned_data["version"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("assigned", message)
        except ConflictError as exc:
            return _render_page(
                request, unit, campaign, phase, status=409, page_errors=[exc.message]
            )
        else:
            _report(request, changes)
            return redirect(page_url(unit, campaign, phase))
    return _render_page(request, unit, campaign, phase, status=400, own_form=form)


@login_required
@require_POST
def quota_upload(request: HttpRequest, code: str) -> HttpResponse:
    """Read an uploaded spreadsheet and show what it would change; nothing is saved here.
    The preview's confirm button posts the rows that change to `quota_allocate`."""
    unit = _unit_for(request, code, can_allocate)
    campaign, phase = _required_selection(request, unit)
    form = UploadForm(request.POST, request.FILES)
    preview = None
    if form.is_valid():
        try:
            preview = spreadsheets.preview_upload(form.cleaned_data["file"], unit, campaign, phase)
        except spreadsheets.SpreadsheetError as exc:
            form.add_error("file", exc.message)
    status = 400 if form.errors else 200
    if is_htmx(request) and campaign is not None:
        context = {
            "unit": unit,
            "campaign": campaign,
            "phase": phase,
            "query": _query(campaign, phase),
            "upload_form": form,
            "preview": preview,
        }
        return render(request, "quotas/_upload.html", context, status=status)
    return _render_page(
        request, unit, campaign, phase, status=status, upload_form=form, preview=preview
    )


@login_required
@require_GET
def quota_template(request: HttpRequest, code: str) -> HttpResponse:
    unit = _unit_for(request, code, can_allocate)
    campaign, phase = _required_selection(request, unit)
    content = spreadsheets.template_workbook(unit, campaign, phase)
    suffix = f"-dot{phase.number}" if phase is not None else ""
    filename = f"chi-tieu-{unit.code}-{campaign.code}{suffix}.xlsx".lower()
    response = HttpResponse(content, content_type=spreadsheets.XLSX_MIME)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
