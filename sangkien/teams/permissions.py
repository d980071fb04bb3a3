"""Who may see and change teams. Roles covering a team's unit see it (so do the team's own
members); officers and administrators of the unit or above manage it. Anyone else gets 404."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from sangkien.accounts.permissions import MANAGE_UNITS, VIEW_UNITS, has_role_on
from sangkien.orgs.models import Unit

from .models import Team, TeamMember

MANAGE_TEAMS = MANAGE_UNITS


def is_team_member(user: Any, team: Team) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and TeamMember.objects.filter(team=team, user_id=user.pk).exists()
    )


def can_view_team(user: Any, team: Team) -> bool:
    return has_role_on(user, team.unit, VIEW_UNITS) or is_team_member(user, team)


def can_manage_teams(user: Any, unit: Unit) -> bool:
    """Create teams on `unit` and change them: officers and administrators of it or above."""
    return has_role_on(user, unit, MANAGE_TEAMS)


def get_team_for_user(user: Any, pk: Any, *, manage: bool = False) -> Team:
    """The team, or 404 when the user may not see it; with `manage`, 403 when the user
    sees it but may not change it."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    team = Team.objects.select_related("unit").filter(pk=pk).first()
    if team is None or not getattr(user, "is_active", False) or not can_view_team(user, team):
        raise Http404
    if manage and not can_manage_teams(user, team.unit):
        raise PermissionDenied
    return team
