from __future__ import annotations

from django.db.models import Count, Q
from django.http import Http404, HttpRequest
from ninja import Query, Router

from sangkien.orgs import models
from sangkien.orgs.permissions import top_units_for, units_visible_to

from . import schemas
from .paging import page_of

router = Router(tags=["units"])
ERRORS = {401: schemas.Error, 404: schemas.Error, 422: schemas.InvalidInput}


def unit_out(unit: models.Unit) -> schemas.Unit:
    return schemas.Unit(
        code=unit.code,
        name=unit.name,
        short_name=unit.short_name,
        kind=unit.kind,
        status=unit.status,
        parent=unit.parent.code if unit.parent else None,
        answered_for_by=unit.successor.code if unit.successor else None,
        children_count=unit.n_children,  # type: ignore[attr-defined]  # annotated by the query
        members_count=unit.members_total,
    )


def _with_counts(qs: models.UnitQuerySet) -> models.UnitQuerySet:
    return qs.select_related("parent", "successor").annotate(
        n_children=Count("children", filter=Q(children__status=models.UnitStatus.ACTIVE))
    )


@router.get("", response={200: schemas.UnitPage, **ERRORS})
def list_units(
    request: HttpRequest,
    parent: str | None = None,
    include_closed: bool = False,
    cursor: str | None = None,
    limit: int = Query(100, ge=1, le=500),
):
    """The units directly below `parent`; without `parent`, the highest units the caller can
    see (the root for a national administrator). In Vietnamese name order, a page at a time.
    Merged, split and dissolved units are left out unless `include_closed` is true."""
    if parent:
        parent_unit = units_visible_to(request.user).filter(code=parent.upper()).first()
        if parent_unit is None:
            raise Http404
        qs = models.Unit.objects.filter(parent=parent_unit)
    else:
        qs = top_units_for(request.user)
    if not include_closed:
        qs = qs.active()
    page = page_of(_with_counts(qs), cursor=cursor, limit=limit)
    return schemas.UnitPage(items=[unit_out(u) for u in page.items], next_cursor=page.next_cursor)


@router.get("/{code}", response={200: schemas.Unit, **ERRORS})
def get_unit(request: HttpRequest, code: str):
    """One unit the caller can see, closed or not."""
    unit = _with_counts(units_visible_to(request.user)).filter(code=code.upper()).first()
    if unit is None:
        raise Http404
    return unit_out(unit)
