from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router

from sangkien.accounts.permissions import REORGANISE, can_reorganise
from sangkien.core.errors import ValidationError
from sangkien.orgs import models, services
from sangkien.orgs.permissions import top_units_for, units_visible_to

from . import schemas
from .paging import page_of

router = Router(tags=["units"])
ERRORS = schemas.READ_ERRORS
WRITE_ERRORS = {
    400: schemas.Error,
    401: schemas.Error,
    403: schemas.Error,
    404: schemas.Error,
    413: schemas.Error,
    422: schemas.InvalidInput,
}


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


# -- reorganisations -----------------------------------------------------------------------


def _reorganised(request: HttpRequest, code: str) -> models.Unit:
    """The unit to reorganise: 404 outside the caller's scope, 403 when the caller sees it
    but may not reorganise it."""
    unit = units_visible_to(request.user).filter(code=code.upper()).first()
    if unit is None:
        raise Http404
    if not can_reorganise(request.user, unit):
        raise PermissionDenied(_("Only an administrator above a unit can reorganise it."))
    return unit


def _named(request: HttpRequest, code: str | None, field: str) -> models.Unit:
    """A unit named in the body: one the caller may reorganise into, else bad input (an
    unknown code and one outside the caller's scope read the same)."""
    found = None
    if code and code.strip():
        found = units_visible_to(request.user, REORGANISE).filter(code=code.strip().upper()).first()
    if found is None:
        raise ValidationError({field: _("No unit has the code %(code)s.") % {"code": code or ""}})
    return found


@contextmanager
def _fields(names: dict[str, str]) -> Iterator[None]:
    """The services' field names given as the names of the body."""
    try:
        yield
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        renamed: dict[str, Any] = {}
        for key, errors in exc.error_dict.items():
            renamed.setdefault(names.get(key, key), []).extend(errors)
        raise ValidationError(renamed) from None


def _out(unit: models.Unit) -> schemas.Unit:
    return unit_out(_with_counts(models.Unit.objects.filter(pk=unit.pk)).get())


def _run(names: dict[str, str], call: Callable[[], Any]) -> Any:
    with _fields(names):
        return call()


@router.post("/{code}/move", response={200: schemas.Unit, **WRITE_ERRORS})
def move_unit(request: HttpRequest, code: str, payload: schemas.UnitMoveIn):
    """Move the unit, with everything below it, under `parent`, dated `effective_on`. An
    administrator above the unit (and above the new parent)."""
    unit = _reorganised(request, code)
    parent = _named(request, payload.parent, "parent")
    _run(
        {"unit": "__all__"},
        lambda: services.move_unit(
            unit,
            new_parent=parent,
            by=request.user,
            on=payload.effective_on,
            note=payload.note or "",
        ),  # fmt: skip
    )
    return _out(unit)


@router.post("/{code}/merge", response={200: schemas.Unit, **WRITE_ERRORS})
def merge_units(request: HttpRequest, code: str, payload: schemas.UnitMergeIn):
    """Merge the unit (and `others`) into an existing unit (`into`) or a new one
    (`new_unit`, under the unit's parent unless said otherwise). Their units and members go
    to it, and so do their open initiatives (drafts, under review, returned); they close
    with it as the unit answering for them. Answers the unit merged into."""
    unit = _reorganised(request, code)
    sources = [unit]
    for i, other in enumerate(payload.others):
        found = _named(request, other, f"others.{i}")
        if not can_reorganise(request.user, found):
            raise PermissionDenied(_("You cannot reorganise %(codes)s.") % {"codes": found.code})
        sources.append(found)
    kwargs: dict[str, Any] = {}
    if payload.into is not None:
        kwargs["into"] = _named(request, payload.into, "into")
    if payload.new_unit is not None:
        kwargs["new_unit"] = payload.new_unit.dict(exclude_none=True)
    names = {
        "sources": "others",
        "target": "into" if payload.into is not None else "new_unit",
        "code": "new_unit.code",
        "name": "new_unit.name",
        "kind": "new_unit.kind",
        "parent": "new_unit",
    }
    target = _run(
        names,
        lambda: services.merge_units(
            sources, by=request.user, on=payload.effective_on, note=payload.note or "", **kwargs
        ),
    )
    return _out(target)


@router.post("/{code}/split", response={200: schemas.UnitList, **WRITE_ERRORS})
def split_unit(request: HttpRequest, code: str, payload: schemas.UnitSplitIn):
    """Split the unit into new units (`into`) under the same parent. `children` and
    `members` send units below it and members to one of the new units; the rest, and the
    open initiatives, go to `records_to`, which answers for the old unit from then on.
    Answers the new units."""
    unit = _reorganised(request, code)
    made = _run(
        {"unit": "__all__", "code": "into", "name": "into", "kind": "into"},
        lambda: services.split_unit(
            unit,
            by=request.user,
            into=[d.dict(exclude_none=True) for d in payload.into],
            records_to=payload.records_to,
            children=payload.children,
            members=payload.members,
            on=payload.effective_on,
            note=payload.note or "",
        ),
    )
    return schemas.UnitList(items=[_out(u) for u in made])


@router.post("/{code}/dissolve", response={200: schemas.Unit, **WRITE_ERRORS})
def dissolve_unit(request: HttpRequest, code: str, payload: schemas.UnitDissolveIn):
    """Close the unit. Its units, members and open initiatives go to `transfer_to`; without
    it the unit must have none of them, and its parent answers for its records. Answers the
    dissolved unit."""
    unit = _reorganised(request, code)
    transfer_to = None
    if payload.transfer_to is not None:
        transfer_to = _named(request, payload.transfer_to, "transfer_to")
    _run(
        {"unit": "__all__"},
        lambda: services.dissolve_unit(
            unit,
            by=request.user,
            transfer_to=transfer_to,
            on=payload.effective_on,
            note=payload.note or "",
        ),  # fmt: skip
    )
    return _out(unit)
