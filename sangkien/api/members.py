from __future__ import annotations

from django.http import Http404, HttpRequest
from ninja import Query, Router

from sangkien.accounts.permissions import VIEW_MEMBERS, can_view_personal_data
from sangkien.core import audit
from sangkien.orgs import models
from sangkien.orgs.permissions import get_member_for_user, units_visible_to
from sangkien.text import fold

from . import schemas
from .paging import page_of

router = Router(tags=["members"])
ERRORS = schemas.READ_ERRORS


def member_out(request: HttpRequest, member: models.Member) -> schemas.Member:
    visible = can_view_personal_data(request.user, member)
    return schemas.Member(
        code=member.code,
        full_name=member.full_name,
        unit=member.unit.code,
        gender=member.gender,
        position=member.position,
        joined_on=member.joined_on,
        left_on=member.left_on,
        personal_data_visible=visible,
        birth_date=member.birth_date if visible else None,
        phone=(member.phone or None) if visible else None,
        email=(member.email or None) if visible else None,
    )


@router.get("", response={200: schemas.MemberPage, **ERRORS})
def list_members(
    request: HttpRequest,
    unit: str,
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
    q: str | None = None,
    include_former: bool = False,
):
    """Members of `unit` and of every unit below it, in Vietnamese name order (given name,
    then family and middle names), a page at a time. Needs the officer, support, reviewer or
    administrator role on the unit or above it. `q` matches names without regard to tone
    marks, đ or case. Members who left are listed only with `include_former`."""
    scope = units_visible_to(request.user, VIEW_MEMBERS).filter(code=unit.upper()).first()
    if scope is None:
        raise Http404
    if models.Unit.objects.filter(parent=scope).exists():
        qs = models.Member.objects.in_subtree(scope)
    else:  # a leaf: read straight off the (unit, sort_key, id) index
        qs = models.Member.objects.filter(unit=scope)
    if not include_former:
        qs = qs.current()
    if q and fold(q):
        qs = qs.filter(name_folded__contains=fold(q))
    page = page_of(qs.select_related("unit"), cursor=cursor, limit=limit)
    items = [member_out(request, m) for m in page.items]
    audit.record_personal_data_reads(
        reader=request.user,
        members=[m for m, out in zip(page.items, items, strict=True) if out.personal_data_visible],
        through=audit.THROUGH_API,
    )
    return schemas.MemberPage(items=items, next_cursor=page.next_cursor)


@router.get("/{code}", response={200: schemas.Member, **ERRORS})
def get_member(request: HttpRequest, code: str):
    """One member: for the roles that may list the member's unit, and for the member.
    Reading a member's personal data is in the audit log (who, whose, when, through the API)."""
    member = get_member_for_user(request.user, code)
    out = member_out(request, member)
    if out.personal_data_visible:
        audit.record_personal_data_read(reader=request.user, obj=member, through=audit.THROUGH_API)
    return out
