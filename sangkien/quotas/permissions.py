"""Who may see and change quotas. Every rule is a role held on a unit, covering its subtree:

- seeing the quotas of unit U (its own and its children's): any role covering U;
- allocating quotas to U's children: officer or administrator on U or above;
- setting U's own target: officer or administrator on U or above;
- setting the own quota of the unit running the campaign: officer or administrator on it.

Pages fetch the unit with `get_unit_for_user` (404 outside the user's subtrees) and the
campaign with `get_campaign_for_unit` (404 for a campaign the user cannot use or that does
not cover the unit); a user who may see but not change gets 403."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from sangkien.accounts.models import Role
from sangkien.accounts.permissions import has_role_on
from sangkien.campaigns.models import Campaign, Phase
from sangkien.campaigns.permissions import campaigns_for
from sangkien.orgs.models import Unit

MANAGE_QUOTAS = frozenset({Role.OFFICER, Role.ADMIN})


def can_allocate(user: Any, parent: Unit) -> bool:
    """Allocate quotas to the children of `parent`."""
    return parent.is_active and has_role_on(user, parent, MANAGE_QUOTAS)


def can_set_target(user: Any, unit: Unit) -> bool:
    return unit.is_active and has_role_on(user, unit, MANAGE_QUOTAS)


def can_set_own_quota(user: Any, unit: Unit, campaign: Campaign) -> bool:
    """Only the unit running the campaign sets its own quota; the others get theirs from
    the unit above."""
    return unit.pk == campaign.owner_id and can_set_target(user, unit)


def campaigns_for_unit(user: Any, unit: Unit) -> list[Campaign]:
    """The campaigns the user can use that cover `unit`, newest first."""
    return [c for c in campaigns_for(user) if c.covers(unit)]


def get_campaign_for_unit(user: Any, unit: Unit, code: str | None) -> Campaign | None:
    """The campaign named by `code` (404 if the user cannot use it or it does not cover the
    unit); without a code the newest campaign covering the unit, or None if there is none."""
    campaigns = campaigns_for_unit(user, unit)
    if not code:
        return campaigns[0] if campaigns else None
    code = code.strip().upper()
    for campaign in campaigns:
        if campaign.code == code:
            return campaign
    raise Http404


def get_phase(campaign: Campaign, number: str | int | None) -> Phase | None:
    """The campaign's phase by number; None (the whole campaign) for blank; 404 otherwise."""
    if number in (None, "", "0", 0):
        return None
    try:
        wanted = int(number)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    for phase in campaign.phases.all():
        if phase.number == wanted:
            return phase
    raise Http404
