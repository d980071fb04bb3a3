from __future__ import annotations

from django.db.models import Count, Q
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from sangkien.accounts.permissions import top_units_for, units_visible_to
from sangkien.orgs.models import Unit, UnitStatus

router = Router(tags=["units"])


class UnitOut(Schema):
    code: str
    name: str
    short_name: str
    kind: str
    status: str
    parent: str | None
    answered_for_by: str | None
    children_count: int
    members_count: int


def unit_out(unit: Unit, children_count: int) -> UnitOut:
    return UnitOut(
        code=unit.code,
        name=unit.name,
        short_name=unit.short_name,
        kind=unit.kind,
        status=unit.status,
        parent=unit.parent.code if unit.parent_id else None,  # type: ignore[union-attr]
        answered_for_by=unit.successor.code if unit.successor_id else None,  # type: ignore[union-attr]
        children_count=children_count,
        members_count=unit.members_total,
    )


def _with_counts(qs):
    return qs.select_related("parent", "successor").annotate(
        n_children=Count("children", filter=Q(children__status=UnitStatus.ACTIVE))
    )


@router.get("", response=list[UnitOut])
def list_units(request: HttpRequest, parent: str | None = None, include_closed: bool = False):
    """Children of `parent`, or the top units the caller can see."""
    visible = units_visible_to(request.user)
    if parent:
        parent_unit = get_object_or_404(visible, code=parent.upper())
        qs = Unit.objects.filter(parent=parent_unit)
    else:
        qs = top_units_for(request.user)
    if not include_closed:
        qs = qs.filter(status=UnitStatus.ACTIVE)
    return [unit_out(u, u.n_children) for u in _with_counts(qs).ordered()]


@router.get("/{code}", response=UnitOut)
def get_unit(request: HttpRequest, code: str):
    unit = _with_counts(units_visible_to(request.user)).filter(code=code.upper()).first()
    if unit is None:
        raise Http404
    return unit_out(unit, unit.n_children)
