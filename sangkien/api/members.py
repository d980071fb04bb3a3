from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from sangkien.accounts.permissions import (
    VIEW_MEMBERS,
    can_view_personal_data,
    units_visible_to,
)
from sangkien.core.pagination import keyset_page
from sangkien.orgs.models import Member

router = Router(tags=["members"])


class MemberOut(Schema):
    code: str
    full_name: str
    unit: str
    gender: str
    position: str
    joined_on: dt.date | None
    left_on: dt.date | None
    birth_date: dt.date | None = None
    phone: str | None = None
    email: str | None = None


class MemberPage(Schema):
    items: list[MemberOut]
    next_cursor: str | None


def member_out(request: HttpRequest, member: Member) -> MemberOut:
    out = MemberOut(
        code=member.code,
        full_name=member.full_name,
        unit=member.unit.code,
        gender=member.gender,
        position=member.position,
        joined_on=member.joined_on,
        left_on=member.left_on,
    )
    if can_view_personal_data(request.user, member):
        out.birth_date = member.birth_date
        out.phone = member.phone
        out.email = member.email
    return out


@router.get("", response=MemberPage)
def list_members(
    request: HttpRequest,
    unit: str,
    cursor: str | None = None,
    limit: int = 50,
    q: str | None = None,
    include_former: bool = False,
):
    """Members of `unit` and every unit below it, in Vietnamese name order."""
    scope = get_object_or_404(units_visible_to(request.user, VIEW_MEMBERS), code=unit.upper())
    qs = Member.objects.in_subtree(scope).select_related("unit")
    if not include_former:
        qs = qs.current()
    if q:
        from sangkien.text import fold

        qs = qs.filter(name_folded__contains=fold(q))
    page = keyset_page(qs, order=("sort_key", "id"), cursor=cursor, size=max(1, min(limit, 200)))
    return MemberPage(
        items=[member_out(request, m) for m in page.items], next_cursor=page.next_cursor
    )


@router.get("/{code}", response=MemberOut)
def get_member(request: HttpRequest, code: str):
    visible = units_visible_to(request.user, VIEW_MEMBERS)
    member = get_object_or_404(
        Member.objects.select_related("unit").filter(unit__in=visible), code=code.upper()
    )
    return member_out(request, member)
