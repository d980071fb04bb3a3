"""Quotas (chỉ tiêu) through the API, by the same services and rules as the quota page: read
a unit's own quota and its children's, allocate to the children, set the unit's own target,
and set the own quota of the unit running the campaign. A unit outside the caller's
subtrees, a campaign they cannot use or that does not cover the unit, or an unknown phase
answer 404; a unit the caller sees but may not change answers 403."""

from __future__ import annotations

from typing import Annotated

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from sangkien.campaigns.models import Campaign, Phase
from sangkien.orgs.models import Unit
from sangkien.orgs.permissions import get_unit_for_user
from sangkien.quotas import services
from sangkien.quotas.permissions import (
    can_allocate,
    can_set_own_quota,
    can_set_target,
    get_campaign_for_unit,
    get_phase,
)

from . import schemas

router = Router(tags=["quotas"])
ERRORS = schemas.READ_ERRORS
WRITE_ERRORS = schemas.WRITE_ERRORS
Version = Annotated[int, Field(ge=0, le=schemas.MAX_ID)]
QuotaValue = Annotated[
    int | str | None,
    Field(
        description="A whole number ≥ 0, or a text as people write it (“1.500”); null or "
        "an empty text clears it."
    ),
]


class QuotaRow(Schema):
    unit: str = Field(description="Code of the child unit.")
    name: str
    assigned: int | None = Field(description="The quota stored for this campaign and phase.")
    effective_assigned: int | None = Field(
        description="The quota the statistics use: for the whole campaign, the sum of the "
        "phases' quotas when none is stored for the whole campaign."
    )
    target: int | None = Field(description="The target the unit set itself.")
    version: int = Field(description="Give it back with a change (0: no quota row yet).")


class UnitQuotas(Schema):
    unit: str
    campaign: str
    phase: int | None = Field(description="The phase's number; null for the whole campaign.")
    assigned: int | None = Field(description="The unit's own quota (as the statistics read it).")
    target: int | None = Field(description="The unit's self-set target.")
    version: int = Field(description="Version of the unit's own quota row (0: none yet).")
    state: str = Field(description="no_own_quota, over, under or exact: the children's sum "
                       "against the unit's own quota.")  # fmt: skip
    children_total: int = Field(description="Sum of the children's quotas (unset counts 0).")
    children_count: int
    allocated_count: int = Field(description="Children with a quota.")
    difference: int | None = Field(description="children_total − assigned; > 0 over-allocated.")
    may_allocate: bool
    may_set_target: bool
    may_set_own_quota: bool = Field(
        description="Only for the unit running the campaign: its quota comes from no parent."
    )
    children: list[QuotaRow]


class AllocationIn(Schema):
    campaign: str
    phase: int | None = Field(
        None, ge=0, le=schemas.MAX_ID, description="0 or null: whole campaign."
    )
    values: dict[str, QuotaValue] = Field(
        description="Child unit code → its quota. Children left out keep theirs."
    )
    versions: dict[str, Version] = Field(
        description="Child unit code → the `version` you read, for every child in `values`; "
        "a child missing here or changed since refuses the whole allocation (409)."
    )
    note: str = Field("", max_length=500, description="Why; kept in the history.")


class FigureIn(Schema):
    campaign: str
    phase: int | None = Field(
        None, ge=0, le=schemas.MAX_ID, description="0 or null: whole campaign."
    )
    value: QuotaValue
    version: Version = Field(description="The unit's `version` you read; 409 if it changed since.")
    note: str = Field("", max_length=500, description="Why; kept in the history.")


def _selection(
    request: HttpRequest, unit: Unit, campaign: str | None, phase: int | None
) -> tuple[Campaign, Phase | None]:
    found = get_campaign_for_unit(request.user, unit, campaign)
    if found is None:
        raise Http404
    return found, get_phase(found, phase)


def quotas_out(
    request: HttpRequest, unit: Unit, campaign: Campaign, phase: Phase | None
) -> UnitQuotas:
    user = request.user
    table = services.quota_table(unit, campaign, phase)
    children, values, stored = table.children, table.values, table.stored
    summary = services.allocation_summary(unit, campaign, phase, children=children, values=values)
    none = services.QuotaValue(None, None)
    own_row = stored.get(unit.pk)
    rows = []
    for child in children:
        row = stored.get(child.pk)
        value = values.get(child.pk, none)
        rows.append(
            QuotaRow(
                unit=child.code,
                name=child.name,
                assigned=row.assigned if row else None,
                effective_assigned=value.assigned,
                target=value.target,
                version=row.version if row else 0,
            )
        )
    return UnitQuotas(
        unit=unit.code,
        campaign=campaign.code,
        phase=phase.number if phase else None,
        assigned=summary.own_assigned,
        target=summary.own_target,
        version=own_row.version if own_row else 0,
        state=summary.state,
        children_total=summary.children_total,
        children_count=summary.children_count,
        allocated_count=summary.allocated_count,
        difference=summary.difference,
        may_allocate=can_allocate(user, unit) and bool(children),
        may_set_target=can_set_target(user, unit),
        may_set_own_quota=can_set_own_quota(user, unit, campaign),
        children=rows,
    )


@router.get("/{code}", response={200: UnitQuotas, **ERRORS})
def get_quotas(
    request: HttpRequest,
    code: str,
    campaign: str | None = Query(
        None, description="A campaign's code; default the newest covering the unit."
    ),
    phase: int | None = Query(
        None,
        ge=0,
        le=schemas.MAX_ID,
        description="A phase's number; 0 or none for the whole campaign.",
    ),
):
    """A unit's own quota and target and those of its active children, for a campaign (and
    phase), with what the caller may change."""
    unit = get_unit_for_user(request.user, code)
    found, chosen = _selection(request, unit, campaign, phase)
    return quotas_out(request, unit, found, chosen)


@router.post("/{code}/allocation", response={200: UnitQuotas, **WRITE_ERRORS})
def allocate_quotas(request: HttpRequest, code: str, payload: AllocationIn):
    """Allocate quotas to the unit's direct, active children (officers and administrators
    of the unit or above). Every value is checked first: a bad one (422, named by child
    code) or a stale version (409) writes nothing. A child's target below its new quota is
    cleared, as on the page."""
    unit = get_unit_for_user(request.user, code)
    campaign, phase = _selection(request, unit, payload.campaign, payload.phase)
    if not can_allocate(request.user, unit):
        raise PermissionDenied
    services.allocate(
        unit,
        campaign,
        phase,
        payload.values,
        request.user,
        expected_versions=payload.versions,
        note=payload.note,
    )
    return quotas_out(request, unit, campaign, phase)


@router.post("/{code}/target", response={200: UnitQuotas, **WRITE_ERRORS})
def set_target(request: HttpRequest, code: str, payload: FigureIn):
    """Set (or clear, with null) the unit's self-set target, never below its assigned quota
    (officers and administrators of the unit or above)."""
    unit = get_unit_for_user(request.user, code)
    campaign, phase = _selection(request, unit, payload.campaign, payload.phase)
    if not can_set_target(request.user, unit):
        raise PermissionDenied
    services.set_target(
        unit,
        campaign,
        phase,
        payload.value,
        request.user,
        expected_version=payload.version,
        note=payload.note,
    )
    return quotas_out(request, unit, campaign, phase)


@router.post("/{code}/own", response={200: UnitQuotas, **WRITE_ERRORS})
def set_own_quota(request: HttpRequest, code: str, payload: FigureIn):
    """Set the own quota of the unit running the campaign (its officers and
    administrators); every other unit gets its quota from the unit above (403)."""
    unit = get_unit_for_user(request.user, code)
    campaign, phase = _selection(request, unit, payload.campaign, payload.phase)
    if not can_set_own_quota(request.user, unit, campaign):
        raise PermissionDenied
    services.set_own_quota(
        unit,
        campaign,
        phase,
        payload.value,
        request.user,
        expected_version=payload.version,
        note=payload.note,
    )
    return quotas_out(request, unit, campaign, phase)
