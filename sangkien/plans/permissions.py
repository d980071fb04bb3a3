"""Who may see and change implementation plans. Any role covering a unit sees its plans and
the coverage figures of its subtree; officers and administrators of the unit or above
record and change plans. Anyone else gets 404 (the unit is fetched through
`get_unit_for_user`)."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from sangkien.accounts.permissions import MANAGE_UNITS, has_role_on
from sangkien.campaigns.models import Campaign
from sangkien.campaigns.permissions import get_campaign_for_user
from sangkien.orgs.models import Unit

MANAGE_PLANS = MANAGE_UNITS


def can_manage_plan(user: Any, unit: Unit) -> bool:
    return has_role_on(user, unit, MANAGE_PLANS)


def reaches(campaign: Campaign, unit: Unit) -> bool:
    """Does the campaign concern `unit`: inside the owner's subtree, or above the owner?"""
    return unit.path.startswith(campaign.owner.path) or campaign.owner.path.startswith(unit.path)


def get_campaign_for_unit(user: Any, code: str, unit: Unit) -> Campaign:
    """A campaign the user can use that concerns `unit`, else 404."""
    campaign = get_campaign_for_user(user, code)
    if not reaches(campaign, unit):
        raise Http404
    return campaign
