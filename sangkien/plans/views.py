"""Pages for implementation plans: a grassroots union's plan (detail, form, document), and
for any unit the coverage of its subtree with the grassroots unions below it that have a
plan and those that do not.

Units are fetched through `get_unit_for_user` and campaigns through
`get_campaign_for_user`, so an outsider gets 404; a viewer whose roles do not allow
changing plans gets 403 on the form. Writes go through sangkien.plans.services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sangkien.accounts.permissions import can_view_unit
from sangkien.campaigns.models import Campaign
from sangkien.campaigns.permissions import campaigns_for
from sangkien.core.errors import ConflictError, ValidationError
from sangkien.core.pagination import keyset_page
from sangkien.orgs.forms import add_service_errors
from sangkien.orgs.models import Unit, UnitKind
from sangkien.orgs.permissions import breadcrumbs_for, get_unit_for_user

from . import forms, services
from .models import Plan
from .permissions import can_manage_plan, get_campaign_for_unit, reaches

GET_POST = require_http_methods(["GET", "POST"])
PAGE_SIZE = 50
CHILDREN_LIMIT = 100


def _page_for(unit: Unit, campaign: Campaign) -> str:
    name = "plans:detail" if unit.kind == UnitKind.GRASSROOTS else "plans:overview"
    return reverse(name, args=[campaign.code, unit.code])


@login_required
def unit_campaigns(request: HttpRequest, code: str) -> HttpResponse:
    """The campaigns whose plans concern the unit; straight to the one when there is one."""
    unit = get_unit_for_user(request.user, code)
    campaigns = [c for c in campaigns_for(request.user) if reaches(c, unit)]
    if len(campaigns) == 1:
        return redirect(_page_for(unit, campaigns[0]))
    context = {
        "unit": unit,
        "breadcrumbs": breadcrumbs_for(request.user, unit),
        "campaigns": [(c, _page_for(unit, c)) for c in campaigns],
    }
    return render(request, "plans/unit_campaigns.html", context)


def _grassroots_below(unit: Unit, campaign: Campaign) -> Any:
    """The active grassroots unions under `unit` that the campaign reaches."""
    top = unit if unit.path.startswith(campaign.owner.path) else campaign.owner
    return Unit.objects.in_subtree(top).grassroots().active()


def _coverage_row(figures: tuple[int, int]) -> dict[str, Any]:
    with_plan, total = figures
    return {
        "with_plan": with_plan,
        "total": total,
        "without": total - with_plan,
        "percent": services.plans_percent(with_plan, total),
    }


@login_required
def plan_overview(request: HttpRequest, campaign: str, code: str) -> HttpResponse:
    user = request.user
    unit = get_unit_for_user(user, code)
    camp = get_campaign_for_unit(user, campaign, unit)
    if unit.kind == UnitKind.GRASSROOTS:
        return redirect("plans:detail", campaign=camp.code, code=unit.code)
    show = "with" if request.GET.get("show") == "with" else "without"
    children = list(
        Unit.objects.filter(parent=unit)
        .active()
        .exclude(kind=UnitKind.GROUP)
        .in_order()[:CHILDREN_LIMIT]
    )
    coverage = services.plan_coverage(camp, [unit, *children])
    has_plan = Exists(Plan.objects.filter(campaign=camp, unit_id=OuterRef("pk")))
    below = _grassroots_below(unit, camp)
    below = below.filter(has_plan) if show == "with" else below.exclude(has_plan)
    page = keyset_page(
        below, order=("sort_key", "id"), cursor=request.GET.get("after"), size=PAGE_SIZE
    )
    parents = _parent_names(page.items, unit)
    context = {
        "unit": unit,
        "campaign": camp,
        "breadcrumbs": breadcrumbs_for(user, unit),
        "figures": _coverage_row(coverage[unit.pk]),
        "children": [(c, _coverage_row(coverage[c.pk]), _page_for(c, camp)) for c in children],
        "show": show,
        "page": page,
        "rows": [(u, parents[u.pk]) for u in page.items],
    }
    return render(request, "plans/plan_overview.html", context)


def _parent_names(units: list[Unit], top: Unit) -> dict[int, str]:
    """The name of each listed union's parent (where it sits), read in one query."""
    ids = {u.parent_id for u in units if u.parent_id and u.parent_id != top.pk}
    names = dict(Unit.objects.filter(pk__in=ids).values_list("pk", "name"))
    return {u.pk: names.get(u.parent_id, "") if u.parent_id else "" for u in units}


def _grassroots_unit(request: HttpRequest, campaign: str, code: str) -> tuple[Unit, Campaign]:
    unit = get_unit_for_user(request.user, code)
    camp = get_campaign_for_unit(request.user, campaign, unit)
    if unit.kind != UnitKind.GRASSROOTS or not camp.covers(unit):
        raise Http404
    return unit, camp


def _plan_of(unit: Unit, campaign: Campaign) -> Plan | None:
    return (
        Plan.objects.select_related("created_by", "updated_by")
        .filter(campaign=campaign, unit=unit)
        .first()
    )


@login_required
def plan_detail(request: HttpRequest, campaign: str, code: str) -> HttpResponse:
    user = request.user
    unit = get_unit_for_user(user, code)
    camp = get_campaign_for_unit(user, campaign, unit)
    if unit.kind != UnitKind.GRASSROOTS:
        return redirect("plans:overview", campaign=camp.code, code=unit.code)
    if not camp.covers(unit):
        raise Http404
    context = {
        "unit": unit,
        "campaign": camp,
        "breadcrumbs": breadcrumbs_for(user, unit),
        "plan": _plan_of(unit, camp),
        "can_manage": can_manage_plan(user, unit) and unit.is_active,
        "parent_visible": can_view_unit(user, unit.parent),
    }
    return render(request, "plans/plan_detail.html", context)


@login_required
@GET_POST
def plan_edit(request: HttpRequest, campaign: str, code: str) -> HttpResponse:
    """Record the union's plan, or change the one on record."""
    user = request.user
    unit, camp = _grassroots_unit(request, campaign, code)
    if not can_manage_plan(user, unit):
        raise PermissionDenied
    plan = _plan_of(unit, camp)
    editing = plan is not None
    if request.method == "POST":
        form = forms.PlanForm(request.POST, request.FILES, editing=editing)
    elif plan is not None:
        initial = {name: getattr(plan, name) for name in forms.PlanForm.base_fields}
        initial["version"] = plan.version
        initial.pop("document")
        form = forms.PlanForm(initial=initial, editing=True)
    else:
        form = forms.PlanForm()
    status = 200
    if request.method == "POST" and form.is_valid():
        document = form.cleaned_data.get("document") or None
        try:
            if plan is None:
                services.create_plan(
                    unit=unit, campaign=camp, by=user, document=document, **form.service_kwargs()
                )
            else:
                version = form.cleaned_data.get("version")
                services.update_plan(
                    plan,
                    by=user,
                    expected_version=version if version is not None else plan.version,
                    document=document,
                    **form.service_kwargs(),
                )
        except ConflictError as exc:
            form.add_error(None, exc.message)
            status = 409
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The implementation plan was saved."))
            return redirect("plans:detail", campaign=camp.code, code=unit.code)
    if form.is_bound and form.errors and status == 200:
        status = 400
    context = {
        "unit": unit,
        "campaign": camp,
        "plan": plan,
        "form": form,
        "breadcrumbs": breadcrumbs_for(user, unit),
        "title": (
            _("Implementation plan of %(unit)s") % {"unit": unit.name}
            if editing
            else _("Record the implementation plan of %(unit)s") % {"unit": unit.name}
        ),
    }
    return render(request, "plans/plan_form.html", context, status=status)


@login_required
@require_POST
def plan_delete(request: HttpRequest, campaign: str, code: str) -> HttpResponse:
    user = request.user
    unit, camp = _grassroots_unit(request, campaign, code)
    if not can_manage_plan(user, unit):
        raise PermissionDenied
    plan = _plan_of(unit, camp)
    if plan is None:
        raise Http404
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    try:
        services.delete_plan(plan, by=user, expected_version=version)
    except ConflictError as exc:
        messages.error(request, exc.message)
        return redirect("plans:detail", campaign=camp.code, code=unit.code)
    messages.success(request, _("The implementation plan was removed."))
    return redirect("plans:detail", campaign=camp.code, code=unit.code)


@login_required
def plan_document(request: HttpRequest, campaign: str, code: str) -> FileResponse:
    """The signed document, to whoever may see the union (404 for anyone else)."""
    unit, camp = _grassroots_unit(request, campaign, code)
    plan = _plan_of(unit, camp)
    if plan is None or not plan.document:
        raise Http404
    try:
        handle = plan.document.open("rb")
    except OSError:
        raise Http404 from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=plan.document_name or "document",
        content_type=plan.document_type or "application/octet-stream",
    )
