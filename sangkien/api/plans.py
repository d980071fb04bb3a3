"""Implementation plans through the API, by the plan services and the plan pages' rules:
read a unit's plan coverage (and a grassroots union's plan), record or change a union's
plan, remove it. Any role covering the unit reads; officers and administrators of the unit
or above write. A unit outside the caller's subtrees, or a campaign they cannot use or that
does not concern the unit, answers 404; a union the caller sees but may not change, 403.
The signed document is uploaded on the plan's page (not yet through the API)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from sangkien.campaigns.models import Campaign
from sangkien.core.errors import ValidationError
from sangkien.orgs.models import Unit, UnitKind
from sangkien.orgs.permissions import get_unit_for_user
from sangkien.plans import services
from sangkien.plans.models import Plan
from sangkien.plans.permissions import can_manage_plan, get_campaign_for_unit

from . import schemas

router = Router(tags=["plans"])
ERRORS = schemas.READ_ERRORS
WRITE_ERRORS = schemas.WRITE_ERRORS


class PlanOut(Schema):
    unit: str
    campaign: str
    signed_on: dt.date
    employer_name: str
    employer_representative: str
    targets: str
    target_initiatives: int | None
    reward_mechanism: str
    has_document: bool = Field(description="Whether the signed document was uploaded.")
    version: int = Field(description="Give it back with a change or a removal.")
    updated_at: dt.datetime


class Coverage(Schema):
    unit: str
    name: str
    with_plan: int = Field(description="Grassroots unions (this one or below) with a plan.")
    grassroots: int = Field(description="Active grassroots unions (this one or below).")
    percent: float | None = Field(description="with_plan / grassroots × 100, one decimal.")


class UnitPlans(Schema):
    unit: str
    campaign: str
    coverage: Coverage
    children: list[Coverage] = Field(description="Each active child unit (none for a union).")
    plan: PlanOut | None = Field(description="A grassroots union's plan; null for none.")
    may_manage: bool = Field(description="The caller may record, change or remove the plan.")


class PlanIn(Schema):
    signed_on: schemas.IsoDate = Field(description="YYYY-MM-DD, not in the future.")
    employer_name: schemas.Text = None
    employer_representative: schemas.Text = None
    targets: schemas.Text = None
    target_initiatives: schemas.WholeNumber = Field(None, description="Above 0, or null.")
    reward_mechanism: schemas.Text = None
    version: schemas.WholeNumber = Field(
        None, description="Required to change a plan on record: the `version` you read (409 "
        "if it changed since)."
    )  # fmt: skip


def plan_out(plan: Plan) -> PlanOut:
    return PlanOut(
        unit=plan.unit.code,
        campaign=plan.campaign.code,
        signed_on=plan.signed_on,
        employer_name=plan.employer_name,
        employer_representative=plan.employer_representative,
        targets=plan.targets,
        target_initiatives=plan.target_initiatives,
        reward_mechanism=plan.reward_mechanism,
        has_document=bool(plan.document),
        version=plan.version,
        updated_at=plan.updated_at,
    )


def _coverage(unit: Unit, figures: tuple[int, int]) -> Coverage:
    with_plan, total = figures
    share = services.plans_percent(with_plan, total)
    return Coverage(
        unit=unit.code,
        name=unit.name,
        with_plan=with_plan,
        grassroots=total,
        percent=float(share) if share is not None else None,
    )


def _find(request: HttpRequest, campaign: str, code: str) -> tuple[Unit, Campaign]:
    unit = get_unit_for_user(request.user, code)
    return unit, get_campaign_for_unit(request.user, campaign, unit)


def _union(request: HttpRequest, campaign: str, code: str) -> tuple[Unit, Campaign]:
    """A grassroots union the campaign covers, for a write by someone who may manage it."""
    unit, camp = _find(request, campaign, code)
    if unit.kind != UnitKind.GRASSROOTS or not camp.covers(unit):
        raise Http404
    if not can_manage_plan(request.user, unit):
        raise PermissionDenied
    return unit, camp


def _plan_of(unit: Unit, campaign: Campaign) -> Plan | None:
    return (
        Plan.objects.select_related("unit", "campaign").filter(campaign=campaign, unit=unit).first()
    )


def _plans_out(request: HttpRequest, unit: Unit, camp: Campaign) -> UnitPlans:
    children = (
        list(Unit.objects.filter(parent=unit).active().exclude(kind=UnitKind.GROUP).in_order())
        if unit.kind != UnitKind.GRASSROOTS
        else []
    )
    coverage = services.plan_coverage(camp, [unit, *children])
    grassroots = unit.kind == UnitKind.GRASSROOTS and camp.covers(unit)
    plan = _plan_of(unit, camp) if grassroots else None
    return UnitPlans(
        unit=unit.code,
        campaign=camp.code,
        coverage=_coverage(unit, coverage[unit.pk]),
        children=[_coverage(c, coverage[c.pk]) for c in children],
        plan=plan_out(plan) if plan else None,
        may_manage=grassroots and unit.is_active and can_manage_plan(request.user, unit),
    )


@router.get("/{campaign}/{code}", response={200: UnitPlans, **ERRORS})
def get_plans(request: HttpRequest, campaign: str, code: str):
    """How many grassroots unions at or below the unit have an implementation plan for the
    campaign, for the unit and each active child; for a grassroots union, its plan."""
    unit, camp = _find(request, campaign, code)
    return _plans_out(request, unit, camp)


@router.put("/{campaign}/{code}", response={200: PlanOut, 201: PlanOut, **WRITE_ERRORS})
def put_plan(request: HttpRequest, campaign: str, code: str, payload: PlanIn):
    """Record the union's plan (201), or change the one on record (200; give its
    `version`). Every field is checked first; a bad one writes nothing (422)."""
    unit, camp = _union(request, campaign, code)
    fields: dict[str, Any] = {
        "signed_on": payload.signed_on,
        "employer_name": payload.employer_name or "",
        "employer_representative": payload.employer_representative or "",
        "targets": payload.targets or "",
        "target_initiatives": payload.target_initiatives,
        "reward_mechanism": payload.reward_mechanism or "",
    }
    plan = _plan_of(unit, camp)
    if plan is None:
        created = services.create_plan(unit=unit, campaign=camp, by=request.user, **fields)
        return 201, plan_out(created)
    if payload.version is None:
        raise ValidationError({"version": _("Give the version of the plan you read.")})
    updated = services.update_plan(
        plan, by=request.user, expected_version=payload.version, **fields
    )
    return 200, plan_out(updated)


@router.delete("/{campaign}/{code}", response={204: None, **WRITE_ERRORS})
def delete_plan(
    request: HttpRequest,
    campaign: str,
    code: str,
    version: int = Query(..., ge=0, le=schemas.MAX_ID, description="The `version` you read."),
):
    """Remove the union's plan (recorded by mistake); 409 if it changed since `version`."""
    unit, camp = _union(request, campaign, code)
    plan = _plan_of(unit, camp)
    if plan is None:
        raise Http404
    services.delete_plan(plan, by=request.user, expected_version=version)
    return 204, None
