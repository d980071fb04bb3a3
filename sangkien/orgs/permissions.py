"""The units a user may see, and fetching units and members for a user: one helper per
object, answering 404 outside the user's scope (never 403, so an outsider learns nothing).

`units_visible_to(user)` is the one scoping helper every list and lookup goes through."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from sangkien.accounts.permissions import (
    VIEW_MEMBERS,
    VIEW_UNITS,
    can_view_unit,
    has_role_on,
    role_paths,
)

from .models import Member, Unit, UnitQuerySet


def units_visible_to(user: Any, roles: frozenset[str] = VIEW_UNITS) -> UnitQuerySet:
    paths = role_paths(user, roles)
    if paths == [""]:
        return Unit.objects.all()
    return Unit.objects.in_subtrees(paths)


def top_units_for(user: Any, roles: frozenset[str] = VIEW_UNITS) -> UnitQuerySet:
    """The highest units the user can see: the root for a national administrator."""
    paths = role_paths(user, roles)
    if paths == [""]:
        return Unit.objects.filter(parent__isnull=True)
    return Unit.objects.filter(path__in=paths)


def get_unit_for_user(user: Any, code: str, roles: frozenset[str] = VIEW_UNITS) -> Unit:
    unit = (
        units_visible_to(user, roles)
        .select_related("parent", "successor")
        .filter(code=code.upper())
        .first()
    )
    if unit is None:
        raise Http404
    return unit


def get_member_for_user(user: Any, code: str) -> Member:
    member = Member.objects.select_related("unit").filter(code=code.upper()).first()
    if member is None:
        raise Http404
    is_self = getattr(user, "is_authenticated", False) and user.member_id == member.pk
    if not is_self and not has_role_on(user, member.unit, VIEW_MEMBERS):
        raise Http404
    return member


def breadcrumbs_for(user: Any, unit: Unit) -> list[Unit]:
    """The ancestors of `unit` the user may see, root first (one query)."""
    if not unit.ancestor_ids:
        return []
    ancestors = Unit.objects.filter(pk__in=unit.ancestor_ids).order_by("depth")
    return [a for a in ancestors if can_view_unit(user, a)]
