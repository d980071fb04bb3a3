"""Which campaigns a user can use: those run by a unit at or above a place where the user
works (a role's unit, or the unit of the user's member record), and those run inside the
subtrees of the user's roles."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from sangkien.accounts.permissions import role_paths

from .models import Campaign


def user_paths(user: Any) -> list[str]:
    """The paths of the units where the user works: role units and the member's own unit."""
    paths = list(role_paths(user))
    member = getattr(user, "member", None) if getattr(user, "is_authenticated", False) else None
    if member is not None and member.left_on is None:
        paths.append(member.unit.path)
    return paths


def campaigns_for(user: Any) -> list[Campaign]:
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
