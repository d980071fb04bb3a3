"""Which campaigns a user can use: those run by a unit at or above a place where the user
works (a role's unit, or the unit of the user's member record), and those run inside the
subtrees of the user's roles. Campaigns are created by officers and administrators of the
unit that runs them (or of a unit above it)."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from sangkien.accounts.models import Role
from sangkien.accounts.permissions import has_role_on, role_paths
from sangkien.orgs.models import Unit
from sangkien.teams.services import served_unit_paths

from .models import Campaign

MANAGE_CAMPAIGNS = frozenset({Role.OFFICER, Role.ADMIN})


def user_paths(user: Any) -> list[str]:
    """The paths of the units where the user works: role units, the member's own unit and
    the units the user's support teams serve."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    paths = list(role_paths(user))
    if paths == [""]:  # a national administrator works everywhere
        return paths
    member = user.member if user.member_id else None
    if member is not None and member.left_on is None:
        paths.append(member.unit.path)
    paths.extend(served_unit_paths(user))
    return paths


def campaigns_for(user: Any) -> list[Campaign]:
    """The campaigns the user can use, newest first, with their phases and fields."""
    paths = user_paths(user)
    if not paths:
        return []
    campaigns = Campaign.objects.select_related("owner").prefetch_related("phases", "fields")
    return [
        c
        for c in campaigns
        if any(p.startswith(c.owner.path) or c.owner.path.startswith(p) for p in paths)
    ]


def get_campaign_for_user(user: Any, code: str) -> Campaign:
    code = (code or "").strip().upper()
    for campaign in campaigns_for(user):
        if campaign.code == code:
            return campaign
    raise Http404


def can_manage_campaigns(user: Any, owner: Unit) -> bool:
    """May the user create and change campaigns run by `owner`?"""
    return has_role_on(user, owner, MANAGE_CAMPAIGNS)
